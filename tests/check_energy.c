/*
 * check_energy.c - the energy model and the power limiter (sim/power,
 * docs/energy.md): the C arithmetic alone, then whole runs of the axsim
 * binary against the published figures (ISSCC 2024: ResNet-50 2502 fps at
 * 354 fps/W, YOLOv5s 497 fps at 92 fps/W) and the limiter's closed loop.
 */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "power/energy.h"
#include "testutil.h"

static struct ax_arch_desc g_desc;

static const struct ax_arch *metis(void)
{
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_msg(ax_arch_load(&g_desc, NULL, &err) == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
	return &g_desc.arch;
}

/* A full 512 x 512 pass at 0.68 V is the published 15 TOPS/W. */
START_TEST(test_full_array_tops_per_w)
{
	const struct ax_arch *a = metis();
	uint64_t cells = a->imc_rows * a->imc_cols;
	double fj = ax_imc_energy_fj(a, 1, cells, cells);
	double tops_w = 2.0 * (double)cells / (fj * 1e-15) / 1e12;
	ck_assert_msg(tops_w > 14.0 && tops_w < 16.0, "full pass: %.2f TOPS/W", tops_w);
	ck_assert_double_eq_tol(ax_energy_vdd(a, 800000000), 0.68, 1e-9);

	/* one core streaming full passes for 1 ms at 800 MHz: the IMC with the
	 * L1 reads of its inputs, the DPU draining 512 results per pass and the
	 * core's clock (no chip-wide leakage or uncore) stays of the order of
	 * the published figure */
	struct ax_activity act = { 0 };
	act.imc_passes = 100000;                   /* 1 ms / (8 cycles x 1.25 ns) */
	act.imc_cells = act.imc_macs = act.macs = act.imc_passes * cells;
	act.l1_bytes = act.imc_passes * (a->imc_rows + a->imc_cols);
	act.dpu_cycles = act.imc_passes * a->imc_cols / a->dpu_elems_per_cycle;
	struct ax_energy e;
	ax_energy_compute(a, 800000000, 1, &act, 1000000000ull, &e);
	double core_j = e.by_unit_j[AX_EU_IMC] + e.by_unit_j[AX_EU_L1] + e.by_unit_j[AX_EU_DPU] +
			e.by_unit_j[AX_EU_CLOCK];
	double imc_tops_w = 2.0 * (double)act.macs / e.by_unit_j[AX_EU_IMC] / 1e12;
	double core_tops_w = 2.0 * (double)act.macs / core_j / 1e12;
	ck_assert_msg(imc_tops_w > 14.0 && imc_tops_w < 16.0, "IMC %.2f TOPS/W", imc_tops_w);
	ck_assert_msg(core_tops_w > 10.0 && core_tops_w < imc_tops_w, "core %.2f TOPS/W", core_tops_w);
	ax_arch_desc_release(&g_desc);
}
END_TEST

/* Gating: whole row blocks x whole banks are enabled; a pass of a small
 * tile costs the fixed part plus its enabled cells; zero-weight cells cost
 * a share of a used one. */
START_TEST(test_gating)
{
	const struct ax_arch *a = metis();
	ck_assert_uint_eq(ax_imc_gated_cells(a, 33, 1), 64 * 32);
	ck_assert_uint_eq(ax_imc_gated_cells(a, 512, 512), 512 * 512);
	ck_assert_uint_eq(ax_imc_gated_cells(a, 600, 600), 512 * 512);
	double full = ax_imc_energy_fj(a, 1, 512 * 512, 512 * 512);
	double half = ax_imc_energy_fj(a, 1, 512 * 256, 512 * 256);
	ck_assert_double_eq_tol(half, (double)a->pw_imc_pass_fj + (full - (double)a->pw_imc_pass_fj) / 2, 1e-3);
	double zeros = ax_imc_energy_fj(a, 1, 512 * 512, 512 * 256);
	ck_assert(zeros > half && zeros < full);
	ax_arch_desc_release(&g_desc);
}
END_TEST

/* The voltage profile, and dynamic energy with its square. */
START_TEST(test_voltage_scaling)
{
	const struct ax_arch *a = metis();
	ck_assert_double_eq_tol(ax_energy_vdd(a, 400000000), 0.50, 1e-9);
	ck_assert_double_eq_tol(ax_energy_vdd(a, 100000000), 0.50, 1e-9);   /* flat below */
	ck_assert_double_eq_tol(ax_energy_vdd(a, 600000000), 0.59, 1e-9);
	ck_assert_double_eq_tol(ax_energy_vdd(a, 875000000), 0.68 + 0.18 * 75.0 / 400.0, 1e-9);
	struct ax_activity act = { .imc_passes = 1000, .imc_cells = 1000 * 262144, .imc_macs = 1000 * 262144,
				   .l1_bytes = 1 << 20, .ddr_bytes = 1 << 20 };
	struct ax_energy hi, lo;
	ax_energy_compute(a, 800000000, 4, &act, 0, &hi);
	ax_energy_compute(a, 400000000, 4, &act, 0, &lo);
	double r = (0.5 / 0.68) * (0.5 / 0.68);
	ck_assert_double_eq_tol(lo.by_unit_j[AX_EU_IMC], hi.by_unit_j[AX_EU_IMC] * r, 1e-12);
	ck_assert_double_eq_tol(lo.by_unit_j[AX_EU_L1], hi.by_unit_j[AX_EU_L1] * r, 1e-15);
	ck_assert_double_eq_tol(lo.by_unit_j[AX_EU_DDR], hi.by_unit_j[AX_EU_DDR], 1e-15);  /* own supply */
	/* static power: clock with f x V^2, leakage with V^2, the uncore not at all */
	ck_assert(lo.static_w < hi.static_w);
	ax_arch_desc_release(&g_desc);
}
END_TEST

/* The limiter's loop: fast attack by the relative excess, slow release by
 * one step with a step's margin, the floor, and the throttled time. */
START_TEST(test_limiter_steps)
{
	const struct ax_arch *a = metis();
	struct ax_limiter l;
	ax_limiter_init(&l, a, 5000000, 1000);                 /* 5 W, cap 100% */
	const uint64_t ms = 1000000000ull;
	double e = 0;
	e += 10.0 * 1e-3;                                      /* 10 W over 1 ms */
	ck_assert_uint_eq(ax_limiter_step(&l, e, 1 * ms), 1000 - 33 * 15);
	ck_assert_uint_eq(l.throttled_ps, 0);                  /* the cap was 100% then */
	e += 4.9 * 1e-3;                                       /* below 5 W x (1 - 1.5%) */
	ck_assert_uint_eq(ax_limiter_step(&l, e, 2 * ms), 1000 - 32 * 15);
	ck_assert_uint_eq(l.throttled_ps, ms);
	e += 4.95 * 1e-3;                                      /* within the margin: hold */
	ck_assert_uint_eq(ax_limiter_step(&l, e, 3 * ms), 1000 - 32 * 15);
	e += 5.1 * 1e-3;                                       /* a little over: one step */
	ck_assert_uint_eq(ax_limiter_step(&l, e, 4 * ms), 1000 - 33 * 15);
	e += 1000.0 * 1e-3;                                    /* far over: the floor */
	ck_assert_uint_eq(ax_limiter_step(&l, e, 5 * ms), 125);
	ck_assert_uint_eq(l.min_cap_pm, 125);
	ck_assert_uint_eq(l.windows, 5);
	ck_assert_uint_eq(l.windows_over, 3);
	ax_limiter_finish(&l, 5 * ms + ms / 2);
	ck_assert_uint_eq(l.throttled_ps, 4 * ms + ms / 2);
	/* the effective limit: power.limit, else the M.2 card's on --board m2 */
	ck_assert_uint_eq(ax_power_limit_uw(a, NULL), 0);
	ck_assert_uint_eq(ax_power_limit_uw(a, "pcie"), 0);
	ck_assert_uint_eq(ax_power_limit_uw(a, "m2"), 8500000);
	g_desc.arch.pw_limit_uw = 6000000;
	ck_assert_uint_eq(ax_power_limit_uw(a, "m2"), 6000000);
	ax_arch_desc_release(&g_desc);
}
END_TEST

/* ---- whole runs ---- */

static json_t *run(const char *net, const char *model, const char *extra, const char *tag)
{
	char *elf = ax_compiled(ax_src(net));
	char *out = ax_tmp(tag);
	struct ax_run r = ax_run_axsim("run '%s' %s%s%s --quiet --json '%s' %s", elf, model ? "--config '" : "",
				       model ? ax_src(model) : "", model ? "'" : "", out, extra);
	ck_assert_msg(r.status == 0, "axsim run %s %s: exit %d: %s", net, extra, r.status, r.err);
	json_error_t je;
	json_t *j = json_load_file(out, 0, &je);
	ck_assert_msg(j != NULL, "%s: %s", out, je.text);
	ax_run_free(&r);
	free(out);
	free(elf);
	return j;
}

static double num(json_t *j, const char *path)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", path);
	json_t *cur = j;
	for (char *save = NULL, *t = strtok_r(buf, ".", &save); t && cur; t = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, t);
	ck_assert_msg(json_is_number(cur), "no number at %s", path);
	return json_number_value(cur);
}

/* docs/energy.md "Calibration": ResNet-50 in its zoo configuration costs
 * 2.83 mJ (2502 fps at 354 fps/W) within 25%. */
START_TEST(test_resnet50_energy)
{
	json_t *j = run("models/resnet50/resnet50.net.yaml", "models/resnet50/resnet50.yaml", "", "r50.json");
	double mj = 1e3 * num(j, "energy.per_inference_j");
	ck_assert_msg(fabs(mj / 2.83 - 1) <= 0.25, "ResNet-50: %.3f mJ per inference", mj);
	ck_assert_double_eq_tol(num(j, "energy.fps_per_w") * num(j, "energy.per_inference_j"), 1.0, 1e-4);
	/* the split adds up */
	double sum = 0;
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(json_object_get(j, "energy"), "by_unit"), k, v)
		sum += json_number_value(json_object_get(v, "per_inference_j"));
	ck_assert_double_eq_tol(sum, num(j, "energy.per_inference_j"), 1e-3 * num(j, "energy.per_inference_j"));
	ck_assert_double_eq(num(j, "energy.limiter.limit_w"), 0);
	ck_assert_int_eq((int)num(j, "energy.limiter.windows"), 0);
	json_decref(j);
}
END_TEST

/* YOLOv5s: 10.9 mJ (497 fps at 92 fps/W) within 25%.  That silicon ran at
 * 497 fps, slower than the simulated chip, so its static power was shared by
 * fewer frames: the comparison is at the published rate,
 * dynamic_per_inference_j + static_w / 497 (docs/energy.md "Calibration"). */
START_TEST(test_yolov5s_energy)
{
	json_t *j = run("models/yolov5s/yolov5s.net.yaml", "models/yolov5s/yolov5s.yaml", "", "y5.json");
	double mj = 1e3 * (num(j, "energy.dynamic_per_inference_j") + num(j, "energy.static_w") / 497.0);
	ck_assert_msg(fabs(mj / 10.9 - 1) <= 0.25, "YOLOv5s at 497 fps: %.3f mJ per inference", mj);
	/* and at the simulated rate it is cheaper, by the static energy saved */
	ck_assert(num(j, "energy.per_inference_j") * 1e3 < mj);
	json_decref(j);
}
END_TEST

/* A lower clock profile (400 MHz at 0.5 V) costs less energy per inference. */
START_TEST(test_clock_profile_energy)
{
	char *text = ax_read_file(ax_src("models/resnet50/resnet50.yaml"), NULL);
	ck_assert_ptr_nonnull(text);
	const char *at = strstr(text, "      max_compiler_cores: 4\n");
	ck_assert_ptr_nonnull(at);
	size_t n = (size_t)(at - text) + strlen("      max_compiler_cores: 4\n");
	char *low = ax_xasprintf("%.*s      clock_profile: 400\n%s", (int)n, text, text + n);
	char *path = ax_tmp("resnet50-400.yaml");
	ax_write_file(path, low);
	json_t *hi = run("models/resnet50/resnet50.net.yaml", "models/resnet50/resnet50.yaml", "", "r50-800.json");
	char *elf = ax_compiled(ax_src("models/resnet50/resnet50.net.yaml"));
	char *out = ax_tmp("r50-400.json");
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet --json '%s'", elf, path, out);
	ck_assert_msg(r.status == 0, "%s", r.err);
	json_t *lo = json_load_file(out, 0, NULL);
	ck_assert_ptr_nonnull(lo);
	ck_assert_int_eq((int)num(lo, "plan.clock_hz"), 400000000);
	ck_assert_double_eq_tol(num(lo, "energy.vdd_v"), 0.5, 1e-9);
	ck_assert_msg(num(lo, "energy.per_inference_j") < num(hi, "energy.per_inference_j"),
		      "400 MHz %.4g J, 800 MHz %.4g J", num(lo, "energy.per_inference_j"),
		      num(hi, "energy.per_inference_j"));
	ck_assert(num(lo, "energy.power_w") < num(hi, "energy.power_w"));
	json_decref(lo);
	json_decref(hi);
	ax_run_free(&r);
	free(out);
	free(elf);
	free(path);
	free(low);
	free(text);
}
END_TEST

/* docs/energy.md "Limiter": with the limit at half the unlimited average
 * power, the average stays at or below it and the throughput drops.  The
 * IMC-bound test network runs 32 back-to-back inferences (7 ms simulated);
 * the window is 50 us instead of the card's 5 ms, so that the loop gets
 * enough windows in a short run. */
START_TEST(test_limiter_holds_half_power)
{
	const char *net = "tests/nets/imc-bound.yaml";
	json_t *free_run = run(net, NULL, "--inferences 32", "ib-free.json");
	double p0 = num(free_run, "energy.power_w"), fps0 = num(free_run, "totals.fps");
	ck_assert_double_eq(num(free_run, "energy.limiter.throttled_share"), 0);
	char extra[256];
	snprintf(extra, sizeof(extra), "--inferences 32 --set power.limit=%.0fmW --set power.limiter_period=50us",
		 p0 / 2 * 1000);
	json_t *lim = run(net, NULL, extra, "ib-lim.json");
	double limit = num(lim, "energy.limiter.limit_w");
	ck_assert_double_eq_tol(limit, p0 / 2, 1e-3);
	ck_assert_msg(num(lim, "energy.power_w") <= limit, "average %.3f W, limit %.3f W",
		      num(lim, "energy.power_w"), limit);
	ck_assert_msg(num(lim, "totals.fps") < 0.9 * fps0, "fps %.1f, unlimited %.1f", num(lim, "totals.fps"), fps0);
	ck_assert(num(lim, "energy.limiter.throttled_share") > 0.5);
	ck_assert(num(lim, "energy.limiter.min_mvm_cap") < 1.0);
	ck_assert(num(lim, "energy.limiter.windows") > 50);
	json_decref(free_run);
	json_decref(lim);
}
END_TEST

/* Without a limit nothing changes: an explicit power.limit of 0 W, and a
 * limit far above the run's power, simulate exactly the default run. */
START_TEST(test_no_limit_no_change)
{
	const char *net = "tests/nets/imc-bound.yaml";
	json_t *a = run(net, NULL, "--inferences 4", "nl-a.json");
	json_t *b = run(net, NULL, "--inferences 4 --set power.limit=0W", "nl-b.json");
	json_t *c = run(net, NULL, "--inferences 4 --set power.limit=100W --set power.limiter_period=10us", "nl-c.json");
	static const char *const same[] = { "totals.latency_cycles", "totals.fps", "energy.per_inference_j",
					    "simulation.simulated_cycles" };
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		ck_assert_double_eq(num(a, same[i]), num(b, same[i]));
		ck_assert_double_eq(num(a, same[i]), num(c, same[i]));
	}
	ck_assert_double_eq(num(a, "simulation.activations"), num(b, "simulation.activations"));
	ck_assert_double_eq(num(c, "energy.limiter.throttled_us"), 0);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}
END_TEST

/* --board m2 turns the M.2 card's limit on (power.m2_limit, 8.5 W). */
START_TEST(test_board_m2_limit)
{
	json_t *m2 = run("models/tiny/tiny.net.yaml", "models/tiny/tiny.yaml", "--board m2", "m2.json");
	ck_assert_double_eq_tol(num(m2, "energy.limiter.limit_w"), 8.5, 1e-9);
	json_t *arch = json_object_get(m2, "arch");
	ck_assert_int_eq(json_integer_value(json_object_get(arch, "power.limit")), 8500000);
	json_t *pc = run("models/tiny/tiny.net.yaml", "models/tiny/tiny.yaml", "--board pcie", "pcie.json");
	ck_assert_double_eq(num(pc, "energy.limiter.limit_w"), 0);
	json_decref(m2);
	json_decref(pc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("energy");
	TCase *t = tcase_create("model");
	tcase_add_test(t, test_full_array_tops_per_w);
	tcase_add_test(t, test_gating);
	tcase_add_test(t, test_voltage_scaling);
	tcase_add_test(t, test_limiter_steps);
	suite_add_tcase(s, t);
	TCase *w = tcase_create("runs");
	tcase_set_timeout(w, 300);
	tcase_add_test(w, test_resnet50_energy);
	tcase_add_test(w, test_yolov5s_energy);
	tcase_add_test(w, test_clock_profile_energy);
	tcase_add_test(w, test_limiter_holds_half_power);
	tcase_add_test(w, test_no_limit_no_change);
	tcase_add_test(w, test_board_m2_limit);
	suite_add_tcase(s, w);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
