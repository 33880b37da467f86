/* EFI variables, as efivarfs shows them under /sys/firmware/efi/efivars:
 * four bytes of attributes, then the value. */
#ifndef KP_EFIVAR_H
#define KP_EFIVAR_H

#include <stdint.h>

#include "root.h"

/* The vendor GUIDs of the variables kexec-prep reads. */
#define KP_EFI_GLOBAL "8be4df61-93ca-11d2-aa0d-00e098032b8c"
#define KP_EFI_LOADER "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f" /* systemd-boot, systemd-stub */

/* A UTF-16 string variable (LoaderEntrySelected, ...), as UTF-8 (only its
 * ASCII survives; other characters become '?'). -ENOENT when unset. */
int kp_efivar_string(const struct kp_root *r, const char *name, const char *guid, char **out);
/* A 16-bit variable (BootCurrent, BootNext). */
int kp_efivar_u16(const struct kp_root *r, const char *name, const char *guid, uint16_t *out);
/* The file path of the load option Boot<n> ("\EFI\Linux\alpine.efi"), as
 * a path with '/' ("/EFI/Linux/alpine.efi"). -ENOENT when it has none. */
int kp_efi_boot_path(const struct kp_root *r, uint16_t n, char **out);

/* A UTF-16LE string of len bytes (up to its NUL) as UTF-8, as above. */
char *kp_utf16_to_ascii(const unsigned char *p, size_t len);

#endif
