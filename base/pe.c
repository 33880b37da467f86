#include "pe.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "le.h"

/* The MZ header's e_lfanew; the PE signature; the COFF file header (20
 * bytes: NumberOfSections at 2, SizeOfOptionalHeader at 16); then 40-byte
 * section headers. */
#define MZ_LFANEW    0x3c
#define COFF_SIZE    20
#define SECTION_SIZE 40
#define SECTIONS_MAX 96 /* as the PE loaders of systemd and the kernel accept */

int kp_pe_sections(int fd, off_t file_size, struct kp_pe_section *s, int max)
{
	unsigned char mz[64], pe[4 + COFF_SIZE], sh[SECTION_SIZE];
	uint32_t at;
	int n, i, kept = 0;

	if (pread(fd, mz, sizeof(mz), 0) != (ssize_t)sizeof(mz) || mz[0] != 'M' || mz[1] != 'Z')
		return -EBADMSG;
	at = kp_le32(mz + MZ_LFANEW);
	if ((off_t)at + (off_t)sizeof(pe) > file_size ||
	    pread(fd, pe, sizeof(pe), at) != (ssize_t)sizeof(pe) || memcmp(pe, "PE\0\0", 4) != 0)
		return -EBADMSG;
	n = kp_le16(pe + 4 + 2);
	if (n > SECTIONS_MAX)
		return -EBADMSG;
	at += sizeof(pe) + kp_le16(pe + 4 + 16);
	for (i = 0; i < n; i++, at += SECTION_SIZE) {
		struct kp_pe_section x;

		if (pread(fd, sh, sizeof(sh), at) != (ssize_t)sizeof(sh))
			return -EBADMSG;
		memcpy(x.name, sh, 8);
		x.name[8] = '\0';
		x.size = kp_le32(sh + 8);
		x.raw_size = kp_le32(sh + 16);
		x.offset = kp_le32(sh + 20);
		/* the payload is what is in the file of it */
		if (x.raw_size < x.size)
			x.size = x.raw_size;
		if ((off_t)x.offset + (off_t)x.size > file_size)
			return -EBADMSG;
		if (kept < max)
			s[kept++] = x;
	}
	return kept;
}

const struct kp_pe_section *kp_pe_find(const struct kp_pe_section *s, int n, const char *name)
{
	int i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].name, name) == 0)
			return &s[i];
	return NULL;
}
