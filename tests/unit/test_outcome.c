/* The outcome names (a contract) and the one ordering of fleet verdicts. */
#include "fixture.h"
#include "report/outcome.h"

/* Each result: its name in reports and syslog, and the verdict a fleet
 * sees for an error finding and for a warning. */
static const struct {
	enum result r;
	const char *name;
	enum run_verdict if_error, if_warning;
} rows[] = {
	{ RES_OK, "ok", RV_OK, RV_OK },
	{ RES_REPORTED, "reported", RV_ERROR, RV_OK },
	{ RES_FIXED, "fixed", RV_FIXED, RV_FIXED },
	{ RES_PINNED, "pinned", RV_FIXED, RV_FIXED },
	{ RES_DEFERRED, "deferred", RV_ERROR, RV_ERROR },
	{ RES_ABORTED, "aborted", RV_ABORTED, RV_ABORTED },
	{ RES_FIX_FAILED, "fix-failed", RV_ERROR, RV_ERROR },
	{ RES_CARRIED, "carried", RV_FIXED, RV_FIXED },
};

START_TEST(test_result_row)
{
	ck_assert_str_eq(result_name(rows[_i].r), rows[_i].name);
	ck_assert_int_eq(result_parse(rows[_i].name), rows[_i].r);
	ck_assert_int_eq(result_verdict(rows[_i].r, 1), rows[_i].if_error);
	ck_assert_int_eq(result_verdict(rows[_i].r, 0), rows[_i].if_warning);
}
END_TEST

START_TEST(test_every_result_has_a_row)
{
	ck_assert_int_eq(sizeof rows / sizeof *rows, RES_NRESULTS);
	ck_assert_int_eq(result_parse("error"), -1);
	ck_assert_int_eq(result_parse(""), -1);
}
END_TEST

START_TEST(test_verdict_order)
{
	static const char *const order[] = { "ok", "fixed", "aborted", "error" };
	int a, b;

	for (a = 0; a < RV_NVERDICTS; a++) {
		ck_assert_str_eq(run_verdict_name((enum run_verdict)a), order[a]);
		ck_assert_int_eq(run_verdict_parse(order[a]), a);
		for (b = 0; b < RV_NVERDICTS; b++)
			ck_assert_int_eq(run_verdict_worse((enum run_verdict)a, (enum run_verdict)b),
					 a > b ? a : b);
	}
	ck_assert_int_eq(run_verdict_parse("reported"), -1);
}
END_TEST

START_TEST(test_run_outcome)
{
	ck_assert_int_eq(run_outcome(1, 1, 1, 1), RES_FIX_FAILED);
	ck_assert_int_eq(run_outcome(0, 1, 1, 1), RES_ABORTED);
	ck_assert_int_eq(run_outcome(0, 0, 1, 1), RES_FIXED);
	ck_assert_int_eq(run_outcome(0, 0, 0, 1), RES_REPORTED);
	ck_assert_int_eq(run_outcome(0, 0, 0, 0), RES_OK);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("outcome");
	TCase *tc = tcase_create("names");

	tcase_add_loop_test(tc, test_result_row, 0, (int)(sizeof rows / sizeof *rows));
	tcase_add_test(tc, test_every_result_has_a_row);
	tcase_add_test(tc, test_verdict_order);
	tcase_add_test(tc, test_run_outcome);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fixture_run_suite(suite());
}
