// The C++ side of aptshim.h: libapt-pkg's deb822 parser over dpkg's
// status file.  Exceptions and APT's error stack stay in here.
#include "aptshim.h"

#include <apt-pkg/error.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/tagfile.h>

#include <dirent.h>
#include <fnmatch.h>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace {

char *dup(const std::string &s)
{
	char *p = static_cast<char *>(std::malloc(s.size() + 1));
	if (p == nullptr)
		throw std::bad_alloc();
	std::memcpy(p, s.c_str(), s.size() + 1);
	return p;
}

bool wanted(const std::string &name, const char *const *patterns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(patterns[i], name.c_str(), 0) == 0)
			return true;
	return false;
}

// Conffiles: " /etc/x md5 [obsolete]" per line.
std::vector<aptshim_conffile> conffiles(const std::string &field)
{
	std::vector<aptshim_conffile> out;
	size_t pos = 0;

	while (pos < field.size()) {
		size_t nl = field.find('\n', pos);
		std::string line = field.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		pos = nl == std::string::npos ? field.size() : nl + 1;
		size_t a = line.find_first_not_of(" \t");
		if (a == std::string::npos)
			continue;
		size_t b = line.find_first_of(" \t", a);
		if (b == std::string::npos)
			continue;
		size_t c = line.find_first_not_of(" \t", b);
		size_t d = c == std::string::npos ? std::string::npos : line.find_first_of(" \t", c);
		aptshim_conffile cf = {};
		cf.path = dup(line.substr(a, b - a));
		cf.md5 = dup(c == std::string::npos ? "" : line.substr(c, d == std::string::npos ? std::string::npos : d - c));
		cf.obsolete = d != std::string::npos && line.find("obsolete", d) != std::string::npos;
		out.push_back(cf);
	}
	return out;
}

void free_package(aptshim_package &p)
{
	for (size_t i = 0; i < p.nconffiles; i++) {
		std::free(p.conffiles[i].path);
		std::free(p.conffiles[i].md5);
	}
	std::free(p.conffiles);
	std::free(p.name);
	std::free(p.arch);
	std::free(p.version);
	std::free(p.status);
}

// One package's stanza, as the C side holds it.
aptshim_package package_of(pkgTagSection &sec, const std::string &name)
{
	aptshim_package p = {};
	std::vector<aptshim_conffile> cf = conffiles(sec.FindS("Conffiles"));
	p.name = dup(name);
	p.arch = dup(sec.FindS("Architecture"));
	p.version = dup(sec.FindS("Version"));
	p.status = dup(sec.FindS("Status"));
	if (!cf.empty()) {
		p.conffiles = static_cast<aptshim_conffile *>(
			std::calloc(cf.size(), sizeof *p.conffiles));
		if (p.conffiles == nullptr)
			throw std::bad_alloc();
		std::memcpy(p.conffiles, cf.data(), cf.size() * sizeof *p.conffiles);
		p.nconffiles = cf.size();
	}
	return p;
}

// The wanted stanzas of one status-format file into pkgs; a package
// already there is replaced (a journal entry outranks the status file).
// false with msg when the file cannot be read.
bool read_tags(const std::string &path, const char *const *patterns, size_t npatterns,
	       std::vector<aptshim_package> &pkgs, std::string &msg)
{
	FileFd fd;
	if (!fd.Open(path, FileFd::ReadOnly)) {
		_error->PopMessage(msg);
		_error->Discard();
		if (msg.empty())
			msg = "cannot open " + path;
		return false;
	}
	pkgTagFile tags(&fd);
	pkgTagSection sec;
	while (tags.Step(sec)) {
		std::string name = sec.FindS("Package");
		if (name.empty() || !wanted(name, patterns, npatterns))
			continue;
		aptshim_package p = package_of(sec, name);
		auto old = std::find_if(pkgs.begin(), pkgs.end(), [&](const aptshim_package &q) {
			return name == q.name && std::strcmp(p.arch, q.arch) == 0;
		});
		if (old != pkgs.end()) {
			free_package(*old);
			*old = p;
		} else {
			pkgs.push_back(p);
		}
	}
	if (_error->PendingError()) {
		_error->PopMessage(msg);
		_error->Discard();
		msg = path + ": " + msg;
		return false;
	}
	return true;
}

// While dpkg runs (a maintainer script, the guard's own trigger), what it
// has done so far is in its journal, updates/NNNN beside the status file,
// not yet folded into it: read in order, as dpkg itself does.  A journal
// file that vanishes meanwhile (dpkg folded it in) is skipped.
void read_journal(const std::string &status, const char *const *patterns, size_t npatterns,
		  std::vector<aptshim_package> &pkgs)
{
	size_t slash = status.rfind('/');
	std::string dir = (slash == std::string::npos ? std::string(".") : status.substr(0, slash)) +
			  "/updates";
	std::vector<std::string> names;
	DIR *d = opendir(dir.c_str());
	if (d == nullptr)
		return;
	while (struct dirent *e = readdir(d)) {
		std::string n = e->d_name;
		if (!n.empty() && n.find_first_not_of("0123456789") == std::string::npos)
			names.push_back(n);
	}
	closedir(d);
	std::sort(names.begin(), names.end());
	for (const auto &n : names) {
		std::string msg;
		read_tags(dir + "/" + n, patterns, npatterns, pkgs, msg);
	}
	_error->Discard();
}

} // namespace

extern "C" int aptshim_abi(void)
{
	return APTSHIM_ABI;
}

extern "C" int aptshim_read_status(const char *path, const char *const *patterns,
				   size_t npatterns, aptshim_status *out)
{
	std::vector<aptshim_package> pkgs;

	out->pkgs = nullptr;
	out->npkgs = 0;
	out->error = nullptr;
	try {
		std::string msg;
		if (!read_tags(path, patterns, npatterns, pkgs, msg)) {
			for (auto &p : pkgs)
				free_package(p);
			out->error = dup(msg);
			return -1;
		}
		read_journal(path, patterns, npatterns, pkgs);
		if (!pkgs.empty()) {
			out->pkgs = static_cast<aptshim_package *>(std::calloc(pkgs.size(), sizeof *out->pkgs));
			if (out->pkgs == nullptr)
				throw std::bad_alloc();
			std::memcpy(out->pkgs, pkgs.data(), pkgs.size() * sizeof *out->pkgs);
			out->npkgs = pkgs.size();
		}
		return 0;
	} catch (...) {
		for (auto &p : pkgs)
			free_package(p);
		out->error = static_cast<char *>(std::malloc(32));
		if (out->error)
			std::strcpy(out->error, "out of memory in aptshim");
		return -1;
	}
}

extern "C" void aptshim_free_status(aptshim_status *st)
{
	for (size_t i = 0; i < st->npkgs; i++)
		free_package(st->pkgs[i]);
	std::free(st->pkgs);
	std::free(st->error);
	st->pkgs = nullptr;
	st->npkgs = 0;
	st->error = nullptr;
}

extern "C" int aptshim_md5(const void *buf, size_t len, char out[33])
{
	try {
		Hashes h(Hashes::MD5SUM);
		if (!h.Add(static_cast<const unsigned char *>(buf), len)) {
			_error->Discard();
			return -1;
		}
		std::string v = h.GetHashString(Hashes::MD5SUM).HashValue();
		if (v.size() != 32)
			return -1;
		std::memcpy(out, v.c_str(), 33);
		return 0;
	} catch (...) {
		return -1;
	}
}
