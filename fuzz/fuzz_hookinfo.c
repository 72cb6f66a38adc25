/*
 * libFuzzer target: hookinfo_parse, the reader of what APT writes to a
 * DPkg::Pre-Install-Pkgs hook (protocol version 3), through its existing
 * entry point.  Whatever it accepts has a version >= 2, actions only
 * from version 3, each one named and of one kind; whatever it refuses
 * says why and leaves nothing behind.
 */
#include "predict/hookinfo.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hook_info hi;
	char *err = (char *)1;
	size_t i;

	if (hookinfo_parse((const char *)data, size, &hi, &err) < 0) {
		if (err == NULL || hi.n != 0 || hi.v != NULL)
			abort();	/* a refusal says why, and keeps nothing */
		free(err);
		return 0;
	}
	if (err != NULL || hi.version < 2 || (hi.n > 0 && hi.version < 3))
		abort();
	for (i = 0; i < hi.n; i++) {
		const struct hook_action *a = &hi.v[i];
		if (a->package == NULL || a->package[0] == '\0' ||
		    (a->configure && a->remove) ||
		    (a->deb != NULL && (a->configure || a->remove)))
			abort();
	}
	hookinfo_free(&hi);
	return 0;
}
