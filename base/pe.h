/* PE/COFF section tables, as unified kernel images (and EFI zboot kernels)
 * carry them. */
#ifndef KP_PE_H
#define KP_PE_H

#include <stdint.h>
#include <sys/types.h>

struct kp_pe_section {
	char name[9];	   /* NUL-terminated */
	uint32_t size;	   /* VirtualSize: the payload, without the file's padding */
	uint32_t offset;   /* PointerToRawData */
	uint32_t raw_size; /* SizeOfRawData */
};

/* Read the section table of the PE file at fd (file_size bytes). Returns
 * the number of sections (at most max stored in s), -EBADMSG when it is
 * not a PE file or a section lies outside the file. */
int kp_pe_sections(int fd, off_t file_size, struct kp_pe_section *s, int max);
/* The section called name, or NULL. */
const struct kp_pe_section *kp_pe_find(const struct kp_pe_section *s, int n, const char *name);

#endif
