/*
 * modphp: the Apache half of the prediction before dpkg.  Debian's
 * php*-fpm.conf sits inside <IfModule !mod_php*.c>, and installing
 * libapache2-mod-php* enables the module (and moves Apache to
 * mpm_prefork for it): a site that reached its pool through that file
 * may then run PHP inside Apache, as Apache's user.  A Pre-Install-Pkgs
 * list that unpacks such a package from a .deb, on a host whose Apache
 * loads no mod_php yet, is what starts the prediction: Apache's files are
 * read again with the package's module counted as loaded (php_module and
 * libphpX.Y.so for PHP 8, php7_module, php5_module), and every Apache
 * directive that reaches a pool now and is skipped then is one
 * handler-changed finding.  (Debian's PHP 8 php*-fpm.conf tests
 * mod_php8.c while the module calls itself mod_php.c, so there the pool
 * keeps serving and nothing is predicted; a handler behind
 * <IfModule !php_module>, or PHP 7's mod_php7.c, is taken over.)
 *
 * The findings are security warnings (the pool's own user is no longer
 * the one running the site's PHP): abort stops apt before dpkg, fix and
 * report say it and let the run go on.
 */
#ifndef PFG_MODPHP_H
#define PFG_MODPHP_H

#include "../diff/diff.h"
#include "hookinfo.h"
#include "../util/rootfs.h"

/* 1 for libapache2-mod-php, libapache2-mod-php8.2, ...; else 0. */
int modphp_is_package(const char *name);

/* The first libapache2-mod-php* action of hi unpacking a .deb, or NULL. */
const struct hook_action *modphp_incoming(const struct hook_info *hi);

/* The module a package loads: id "php_module" and its .so path, for
 * libapache2-mod-phpX.Y; 0, or -1 for a name without a version (the
 * metapackage: its versioned dependency is in the same transaction).
 * Pure. */
int modphp_module_of(const char *package, char **id, char **so);

/* The predicted handler-changed findings against cur (the snapshot of
 * the host r now), appended to out; they point into cur and hi. */
void modphp_predict(const struct hook_info *hi, const struct rootfs *r,
		    const struct snapshot *cur, struct finding_list *out);

#endif
