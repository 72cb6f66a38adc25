/*
 * pin: Pre-Install-Pkgs' work on the host -- for each php*-fpm package the
 * transaction unpacks over an installed instance, the predicted
 * configuration (predict.h) read as the host would be, diffed against now;
 * and, under policy fix, the access pinned in the guard's drop-in before
 * dpkg runs, proven twice: the predicted configuration with the drop-in
 * lets every client in, and the installed php-fpm -t accepts it.
 */
#ifndef PFG_PIN_H
#define PFG_PIN_H

#include "hookinfo.h"
#include "predict.h"
#include "../diff/diff.h"
#include "../host/host.h"

/* The predicted view of one instance after its package is unpacked. */
struct prediction {
	struct instance_view *iv;	/* the instance now (in the caller's view) */
	const struct hook_action *act;
	struct predict_result pr;
	struct host_opts po;		/* how the predicted root is read */
	const char **clients;
	struct host_view hp;		/* the predicted root, read */
	struct snapshot ps;
	int have;			/* hp and ps are valid */
};

struct prediction_set {
	struct prediction *v;
	size_t n;
	char **notes;			/* for the report: what could not be predicted */
	size_t nnotes;
};

/* Is name a PHP-FPM package (php*-fpm)? */
int pin_is_fpm_package(const char *name);

/*
 * Predict every php*-fpm package of hi that upgrades an instance of h (a
 * first install has nothing to keep), diff each against cur (the snapshot
 * of h) into fl; each finding's detail says it is predicted.  ho: how the
 * run reads the host (its per-pool client lists are kept).  Fills ps
 * (free with prediction_set_free, before h).
 */
void pin_predict_all(const struct host_opts *ho, struct host_view *h,
		     const struct hook_info *hi, const struct snapshot *cur,
		     struct prediction_set *ps, struct finding_list *fl);

/* The prediction of f's instance, or NULL. */
struct prediction *pin_prediction_of(struct prediction_set *ps, const struct finding *f);

/*
 * The lines that give f's clients access in the predicted pool (what fix
 * pins, what abort tells the admin to add), at most 4, and the drop-in
 * they go to in *fix_file (caller frees both).  0 when f is not lost
 * access or has no predicted pool.
 */
size_t pin_fix_lines(struct prediction *p, const struct finding *f, char **lines,
		     char **fix_file);

/*
 * Pin pool's access now with the drop-in, proven twice.  0, or -1 with
 * *why (caller frees) when the drop-in cannot do it; it is then taken
 * back.  ho: how the run reads the host, for the installed php-fpm -t.
 */
int pin_with_dropin(const struct host_opts *ho, struct host_view *h, struct prediction *p,
		    const char *pool, char *const *lines, size_t nlines, char **why);

void prediction_set_free(struct prediction_set *ps);

#endif
