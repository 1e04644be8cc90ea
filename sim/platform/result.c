#include "platform.h"

#include <stdlib.h>

void ax_result_release(struct ax_result *res)
{
	free(res->layers);
	free(res->infer_end_ps);
	free(res->records);
	for (uint32_t p = 0; p < res->n_parts; p++)
		free(res->parts[p].infer_end_ps);
	free(res->parts);
	res->parts = NULL;
	res->n_parts = 0;
	res->layers = NULL;
	res->infer_end_ps = NULL;
	res->records = NULL;
}

