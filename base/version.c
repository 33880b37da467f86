#include "version.h"

#include <ctype.h>
#include <string.h>

/* Length of the pre-release marker at s, 0 when there is none. */
static size_t prerelease(const char *s)
{
	if (*s == '~')
		return 1;
	if ((*s == '-' || *s == '_') && s[1] == 'r' && s[2] == 'c' && isdigit((unsigned char)s[3]))
		return 3;
	return 0;
}

static int by_value(const char *a, const char *b)
{
	while (*a || *b) {
		size_t pa = prerelease(a), pb = prerelease(b);

		if (pa || pb) {
			if (!pa || !pb)
				return pa ? -1 : 1;
			a += pa;
			b += pb;
			continue;
		}
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			size_t la, lb;
			int c;

			while (*a == '0')
				a++;
			while (*b == '0')
				b++;
			la = strspn(a, "0123456789");
			lb = strspn(b, "0123456789");
			if (la != lb)
				return la < lb ? -1 : 1;
			c = strncmp(a, b, la);
			if (c)
				return c < 0 ? -1 : 1;
			a += la;
			b += lb;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		a++;
		b++;
	}
	return 0;
}

bool kp_version_shape(const char *s)
{
	size_t i = 0, n = strlen(s);

	if (n == 0 || n > 64 || strstr(s, ".."))
		return false;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (i == 0 || s[i] != '.' || !isdigit((unsigned char)s[i + 1]))
		return false;
	for (; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-_+~", s[i]))
			return false;
	return true;
}

int kp_version_cmp(const char *a, const char *b)
{
	int c = by_value(a, b);

	if (c)
		return c;
	c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}
