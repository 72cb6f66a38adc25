/*
 * modphp: the Apache half of the prediction before dpkg.  Debian's
 * php*-fpm.conf sits inside <IfModule !mod_php*.c>, and installing
 * libapache2-mod-php* enables the module (and moves Apache to
 * mpm_prefork for it): a site that reached its pool through that file
 * may then run PHP inside Apache, as Apache's user.  A Pre-Install-Pkgs
 * list that unpacks such a package from a .deb, on a host whose Apache
 * loads no mod_php yet, is enough to predict it: one handler-changed
 * finding per Apache directive that reaches a pool now.
 *
 * The findings are security warnings (the pool's own user is no longer
 * the one running the site's PHP): abort stops apt before dpkg, fix and
 * report say it and let the run go on.  Pure: no I/O.
 */
#ifndef PFG_MODPHP_H
#define PFG_MODPHP_H

#include "../diff/diff.h"
#include "hookinfo.h"

/* 1 for libapache2-mod-php, libapache2-mod-php8.2, ...; else 0. */
int modphp_is_package(const char *name);

/* The first libapache2-mod-php* action of hi unpacking a .deb, or NULL. */
const struct hook_action *modphp_incoming(const struct hook_info *hi);

/* The predicted handler-changed findings against cur (the snapshot of
 * the host now), appended to out; they point into cur and hi. */
void modphp_predict(const struct hook_info *hi, const struct snapshot *cur,
		    struct finding_list *out);

#endif
