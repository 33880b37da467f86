#include "efivar.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "str.h"

#define EFIVARS "/sys/firmware/efi/efivars"

static int read_var(const struct kp_root *r, const char *name, const char *guid,
		    unsigned char **val, size_t *len)
{
	char *path = kp_strdupf(EFIVARS "/%s-%s", name, guid), *buf;
	size_t n;
	int err;

	if (!path)
		return -ENOMEM;
	err = kp_read_file(r, path, 1 << 16, &buf, &n);
	free(path);
	if (err < 0)
		return err;
	if (n < 4) {
		free(buf);
		return -EBADMSG;
	}
	/* drop the attributes, keep the NUL kp_read_file added */
	memmove(buf, buf + 4, n - 4 + 1);
	*val = (unsigned char *)buf;
	*len = n - 4;
	return 0;
}

char *kp_utf16_to_ascii(const unsigned char *p, size_t len)
{
	char *s = malloc(len / 2 + 1);
	size_t i, n = 0;

	if (!s)
		return NULL;
	for (i = 0; i + 1 < len; i += 2) {
		unsigned c = kp_le16(p + i);

		if (c == 0)
			break;
		s[n++] = c < 0x80 && c >= 0x20 ? (char)c : '?';
	}
	s[n] = '\0';
	return s;
}

int kp_efivar_string(const struct kp_root *r, const char *name, const char *guid, char **out)
{
	unsigned char *val;
	size_t len;
	int err = read_var(r, name, guid, &val, &len);

	if (err < 0)
		return err;
	*out = kp_utf16_to_ascii(val, len);
	free(val);
	return *out ? 0 : -ENOMEM;
}

int kp_efivar_u16(const struct kp_root *r, const char *name, const char *guid, uint16_t *out)
{
	unsigned char *val;
	size_t len;
	int err = read_var(r, name, guid, &val, &len);

	if (err < 0)
		return err;
	if (len < 2)
		err = -EBADMSG;
	else
		*out = kp_le16(val);
	free(val);
	return err;
}

/* EFI_LOAD_OPTION: u32 attributes, u16 length of the device path list, the
 * description (UTF-16, NUL-terminated), then the device path nodes: u8
 * type, u8 subtype, u16 length. A media file path node is type 4, subtype
 * 4; the list ends with type 0x7f. */
int kp_efi_boot_path(const struct kp_root *r, uint16_t n, char **out)
{
	char name[16];
	unsigned char *val;
	size_t len, at = 6, end;
	int err;

	snprintf(name, sizeof(name), "Boot%04X", n);
	err = read_var(r, name, KP_EFI_GLOBAL, &val, &len);
	if (err < 0)
		return err;
	err = -ENOENT;
	if (len < 6)
		goto out;
	while (at + 1 < len && (val[at] || val[at + 1]))
		at += 2;
	at += 2; /* the description's NUL */
	end = at + kp_le16(val + 4);
	if (end > len)
		end = len;
	while (at + 4 <= end) {
		size_t nl = kp_le16(val + at + 2);
		char *c;

		if (val[at] == 0x7f || nl < 4 || at + nl > end)
			break;
		if (val[at] == 4 && val[at + 1] == 4) {
			*out = kp_utf16_to_ascii(val + at + 4, nl - 4);
			err = *out ? 0 : -ENOMEM;
			for (c = *out; c && *c; c++)
				if (*c == '\\')
					*c = '/';
			break;
		}
		at += nl;
	}
out:
	free(val);
	return err;
}
