/*
 * libFuzzer target: snapshot_parse, the reader of the one file the guard
 * hands from pre-invoke to post-invoke.  Whatever it accepts must survive
 * a round trip unchanged (to JSON, parsed again, to JSON: the same text)
 * and be diffable against itself and against the round-tripped copy.
 */
#include "diff/diff.h"
#include "snapshot/snapshot.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snapshot a, b;
	struct finding_list fl = { NULL, 0, 0 };
	char *err = NULL, *ja, *jb;

	if (snapshot_parse((const char *)data, size, &a, &err) < 0) {
		if (err == NULL)
			abort();	/* a refusal always says why */
		free(err);
		return 0;
	}
	ja = snapshot_to_json(&a);
	if (snapshot_parse(ja, strlen(ja), &b, &err) < 0)
		abort();	/* we must read what we write */
	jb = snapshot_to_json(&b);
	if (strcmp(ja, jb) != 0)
		abort();	/* and write it back the same */
	diff_snapshots(&a, &b, &fl);
	finding_list_free(&fl);
	free(ja);
	free(jb);
	snapshot_free(&a);
	snapshot_free(&b);
	return 0;
}
