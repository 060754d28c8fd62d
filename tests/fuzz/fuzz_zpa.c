/* fuzz_zpa.c - libFuzzer target for `bcpc import zpa`'s reader: the input is one ZPA
 * response body, read from memory (zpa_read_buffer: JSON, shape, merge), translated
 * and written as .bcl and as the report, as the command does. Nothing may crash, leak
 * or read out of bounds, whatever the bytes; a refusal is an answer like any other. */
#include <stdint.h>
#include <stdlib.h>
#include "zpa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zpa_tenant t;
	struct zpa_out o;
	struct zpa_err e;

	zpa_tenant_init(&t);
	if (zpa_read_buffer(&t, "fuzz-input.json", data, size, &e) == 0 &&
	    zpa_translate(&t, &o, &e) == 0) {
		size_t len = 0;
		char *text = zpa_write_bcl(&o, &len);
		json_t *r = zpa_report(&o, 1);
		free(text);
		json_decref(r);
		zpa_out_free(&o);
	}
	zpa_tenant_free(&t);
	return 0;
}
