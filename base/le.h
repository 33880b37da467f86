/* Little-endian fields of on-disk headers (bzImage, arm64 Image, PE, zboot,
 * EFI variables), read byte by byte: no alignment, any host byte order. */
#ifndef KP_LE_H
#define KP_LE_H

#include <stdint.h>

static inline uint16_t kp_le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t kp_le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t kp_le64(const unsigned char *p)
{
	return (uint64_t)kp_le32(p) | (uint64_t)kp_le32(p + 4) << 32;
}

#endif
