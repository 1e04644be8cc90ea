/*
 * run.c - the smallest program over libaxsim: simulates a compiled network
 * with its model YAML on the built-in hardware description and prints the
 * first inference's latency in cycles, alone on the last line.
 *
 *   cc run.c $(pkg-config --cflags --libs axsim) -o run
 *   ./run NET.elf MODEL.yaml
 *
 * Exit status as the axsim tool's: 0 success, 1 the simulation failed,
 * 2 bad input or usage.
 */
#include <inttypes.h>
#include <stdio.h>

#include <axsim.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s NET.elf MODEL.yaml\n", argv[0]);
		return 2;
	}
	struct axsim_session *s = axsim_session_new();
	struct axsim_spec *spec = axsim_spec_new();
	struct axsim_result *r = NULL;
	int status = 2;
	if (!s || !spec) {
		fprintf(stderr, "run: out of memory\n");
		goto out;
	}
	axsim_spec_set_net(spec, argv[1]);
	axsim_spec_set_config(spec, argv[2], NULL, NULL);
	int rc = axsim_run(s, spec, &r);
	fputs(axsim_session_warnings(s), stderr);
	if (rc != AXSIM_OK) {
		fprintf(stderr, "%s", axsim_session_errors(s));
		status = rc == AXSIM_ESIM ? 1 : 2;
		goto out;
	}
	printf("%" PRIu64 "\n", axsim_result_latency_cycles(r));
	status = 0;
out:
	axsim_result_free(r);
	axsim_spec_free(spec);
	axsim_session_free(s);
	return status;
}
