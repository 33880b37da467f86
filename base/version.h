/* Kernel versions compared the way people number them. */
#ifndef KP_VERSION_H
#define KP_VERSION_H

/* <0, 0, >0 as a sorts before, with, after b. Runs of digits compare by
 * value; a pre-release marker ("~", "-rc<N>", "_rc<N>") sorts before
 * anything else, the end of the string included (6.13.0-rc7 < 6.13.0);
 * other characters by byte, the end of a string first. Strings that differ
 * only in leading zeros (6.01 and 6.1) are told apart byte by byte, so the
 * order is total: 0 means equal strings. */
int kp_version_cmp(const char *a, const char *b);

#endif
