# Include glob bombs in the web servers' configs (issue 12, part 6),
# sourced by tests/hostile/run.sh (its fixture, config_case, ok, bad).
#
# glibc's glob() recurses once per wildcard level, copying the path on
# the stack: thousands of "/*" levels in an nginx `include` or an Apache
# `IncludeOptional` crashed every reading (SIGSEGV) while php-fpm's own
# include= was already refused.  Every reader now expands through one
# rootglob (src/util/rootglob.c) with the same limits: a pattern over
# PATH_MAX, with more than 64 wildcard levels or matching more files than
# the reader takes is an error at its file:line (show/check exit 2), and
# the hooks still end normally.  The fixture is a --root image: what an
# attacker who can write a site's config (a hosting panel, a package's
# conffile) leaves for root's next check or apt run.

N=$R/etc/nginx A=$R/etc/apache2
levels() { printf "$1%.0s" $(seq "$2"); }	# levels '/*' 3 -> /*/*/*
nginx_fixture() {	# nginx_fixture INCLUDE-ARG: nginx.conf including it at line 3
	fixture; mkdir -p "$N"
	printf 'events {}\nhttp {\n\tinclude %s;\n}\n' "$1" > "$N/nginx.conf"
}
apache_fixture() {	# apache_fixture DIRECTIVE PATTERN: apache2.conf line 2
	fixture; mkdir -p "$A"
	printf 'User www-data\n%s %s\n' "$1" "$2" > "$A/apache2.conf"
}
# The message as the reader renders the pattern: its first 64 bytes.
refused() { printf "%s pattern '%s...' refused: %s" "$1" "$(levels "$2" 100 | head -c 64)" "$3"; }

nginx_fixture "$(levels '/*' 5000)"
config_case nginx-include-glob-bomb "/etc/nginx/nginx.conf:3" "$(refused include '/*' 'longer than PATH_MAX')"
nginx_fixture "$(levels '/a*' 100)"
config_case nginx-include-100-wildcard-levels "/etc/nginx/nginx.conf:3" \
	"$(refused include '/a*' 'more than 64 directory levels with wildcards')"
# 64 levels are still expanded (no match here: nginx takes that quietly).
nginx_fixture "$(levels '/a*' 64)"
config_case nginx-include-64-wildcard-levels "" ""

apache_fixture IncludeOptional "$(levels '/*' 5000)"
config_case apache-includeoptional-glob-bomb "/etc/apache2/apache2.conf:2" \
	"$(refused IncludeOptional '/*' 'longer than PATH_MAX')"
apache_fixture Include "$(levels '/a*' 100)"
config_case apache-include-100-wildcard-levels "/etc/apache2/apache2.conf:2" \
	"$(refused Include '/a*' 'more than 64 directory levels with wildcards')"

# One glob matching more files than a server's reader takes (4096).
nginx_fixture "/etc/nginx/many/*.conf"; mkdir -p "$N/many"
(cd "$N/many" && seq -f 's%04g.conf' 0 4096 | xargs touch)
config_case nginx-include-too-many-matches "/etc/nginx/nginx.conf:3" \
	"include pattern '/etc/nginx/many/*.conf' refused: matches more than 4096 files"

# Sites that include each other (found by fuzz/fuzz_nginx): the walk ends
# at its parse limit, but each file read past it was a note -- 80000 in
# every report, 3 s of realloc.  At most 1000 notes, then one "more".
nginx_fixture "/etc/nginx/sites-enabled/*"; mkdir -p "$N/sites-enabled"
printf 'include /etc/nginx/sites-enabled/*;\ninclude /etc/nginx/sites-enabled/*;\n}\n' > "$N/sites-enabled/a"
cp "$N/sites-enabled/a" "$N/sites-enabled/b"
config_case nginx-include-loop "" ""
out=$show_out
if [ "$(jq '.web_servers[0].notes | length' <<<"$out")" = 1001 ] \
   && [ "$(jq -r '.web_servers[0].notes[-1]' <<<"$out")" = "more than 1000 notes: the rest left out" ]; then
	ok nginx-include-loop-notes-bounded
else bad nginx-include-loop-notes-bounded "$(jq -c '.web_servers[0].notes | length' <<<"$out" 2>&1 | head -c 200)"; fi

# One balancer with 300 members and 300 ProxyPass lines naming it: each
# reference times each member is a use, and a 300 KB config of 3000 of
# each (90 million uses) ran the guard out of memory in the hooks (found
# by fuzz/fuzz_apache).  The uses made by names stop at 65536.
apache_fixture '<Proxy' 'balancer://php>'
{ for i in $(seq 300); do printf 'BalancerMember "unix:/run/php/m%d.sock|fcgi://m%d"\n' $i $i; done
  echo '</Proxy>'
  for i in $(seq 300); do printf 'ProxyPass "/p%d/" "balancer://php/"\n' $i; done; } >> "$A/apache2.conf"
config_case apache-balancer-references ""  ""
out=$show_out
if [ "$(jq '.web_servers[0].uses | length' <<<"$out")" -le 65536 ] \
   && [ "$(jq -r '.web_servers[0].notes[-1]' <<<"$out")" = "more than 65536 uses: the rest left out" ]; then
	ok apache-balancer-uses-bounded
else bad apache-balancer-uses-bounded "$(jq -c '.web_servers[0].uses | length' <<<"$out" 2>&1 | head -c 200)"; fi
unset N A
