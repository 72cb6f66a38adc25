# unattended-upgrades from a local file: repository holding the CVE-shaped
# upgrade, with its origin allowed.  Sourced by the unattended scenarios.
uu_repo() {
	mkdir -p /srv/repo && cp /e2e/php8.2-fpm-cve.deb /srv/repo/
	( cd /srv/repo && apt-ftparchive packages . > Packages &&
	  apt-ftparchive -o APT::FTPArchive::Release::Origin=pfg-e2e \
		-o APT::FTPArchive::Release::Label=pfg-e2e \
		-o APT::FTPArchive::Release::Suite=pfg-e2e \
		-o APT::FTPArchive::Release::Codename=pfg-e2e release . > Release )
	rm -f /etc/apt/sources.list /etc/apt/sources.list.d/*
	echo 'deb [trusted=yes] file:/srv/repo ./' > /etc/apt/sources.list.d/pfg-e2e.list
	cat > /etc/apt/apt.conf.d/51pfg-e2e <<'EOS'
Unattended-Upgrade::Origins-Pattern { "origin=pfg-e2e"; };
Unattended-Upgrade::OnlyOnACPower "false";
Unattended-Upgrade::Skip-Updates-On-Metered-Connections "false";
EOS
	apt-get update -q >/tmp/update.log 2>&1
}
uu_run() { unattended-upgrade -v >/tmp/uu.out 2>&1; }
uu_log() { cat /var/log/unattended-upgrades/unattended-upgrades.log /var/log/unattended-upgrades/unattended-upgrades-dpkg.log 2>/dev/null; }
