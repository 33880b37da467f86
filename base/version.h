/* Kernel versions compared the way people number them. */
#ifndef KP_VERSION_H
#define KP_VERSION_H

#include <stdbool.h>

/* <0, 0, >0 as a sorts before, with, after b. Runs of digits compare by
 * value; a pre-release marker ("~", "-rc<N>", "_rc<N>") sorts before
 * anything else, the end of the string included (6.13.0-rc7 < 6.13.0);
 * other characters by byte, the end of a string first. Strings that differ
 * only in leading zeros (6.01 and 6.1) are told apart byte by byte, so the
 * order is total: 0 means equal strings. */
int kp_version_cmp(const char *a, const char *b);

/* Has s the shape of a kernel release (6.1.0-27-amd64, 6.12.9-0-lts,
 * 6.13.0-rc7, 5.10.0-0.deb10.24-amd64): digits, a dot, digits, then
 * letters, digits, dots and - _ + ~, nothing else, no ".." and no '/'?
 * Such a string may name a file or a directory. */
bool kp_version_shape(const char *s);

#endif
