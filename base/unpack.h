/* Compressed kernels: gzip and zstd streams, as `make zinstall` and
 * `make Image.zst` write them, and the EFI zboot header that wraps one
 * (drivers/firmware/efi/libstub/zboot-header.S). */
#ifndef KP_UNPACK_H
#define KP_UNPACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum kp_comp { KP_COMP_NONE, KP_COMP_GZIP, KP_COMP_ZSTD };

/* The compression whose magic starts h, or KP_COMP_NONE. */
enum kp_comp kp_comp_detect(const unsigned char *h, size_t len);
/* "gzip", "zstd" */
const char *kp_comp_name(enum kp_comp c);

/* An EFI zboot image: its payload's window and its compression type, as
 * the header names it ("gzip", "zstd22", "xzkern", ...). */
struct kp_zboot {
	uint32_t offset, size;
	char type[33];
};

/* 1 when h (len bytes, the file's start) is a zboot header, with *z
 * filled; 0 when it is not one; -EBADMSG when it is one whose payload lies
 * outside the file (file_size bytes). */
int kp_zboot_parse(const unsigned char *h, size_t len, off_t file_size, struct kp_zboot *z);
/* The compression a zboot type names, KP_COMP_NONE for one not read here. */
enum kp_comp kp_zboot_comp(const struct kp_zboot *z);

/* Decompress the window [off, off + len) of in_fd.
 * out_fd >= 0: all of it into out_fd; more than limit bytes is -EFBIG.
 * out_fd < 0: only the first headlen bytes, into head.
 * Returns the number of bytes written, or -errno with *why saying what is
 * wrong with the data (-EBADMSG corrupt, -EFBIG too big, -EMSGSIZE data
 * after the stream that is neither padding nor its size). */
int64_t kp_unpack(enum kp_comp c, int in_fd, off_t off, off_t len, int out_fd, unsigned char *head,
		  size_t headlen, uint64_t limit, const char **why);

#endif
