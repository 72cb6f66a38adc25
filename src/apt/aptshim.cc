// The C++ side of aptshim.h: libapt-pkg's deb822 parser over dpkg's
// status file.  Exceptions and APT's error stack stay in here.
#include "aptshim.h"

#include <apt-pkg/error.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/tagfile.h>

#include <fnmatch.h>
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
		FileFd fd;
		if (!fd.Open(path, FileFd::ReadOnly)) {
			std::string msg;
			_error->PopMessage(msg);
			_error->Discard();
			out->error = dup(msg.empty() ? std::string("cannot open ") + path : msg);
			return -1;
		}
		pkgTagFile tags(&fd);
		pkgTagSection sec;
		while (tags.Step(sec)) {
			std::string name = sec.FindS("Package");
			if (name.empty() || !wanted(name, patterns, npatterns))
				continue;
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
			pkgs.push_back(p);
		}
		if (_error->PendingError()) {
			std::string msg;
			_error->PopMessage(msg);
			_error->Discard();
			for (auto &p : pkgs)
				free_package(p);
			out->error = dup(std::string(path) + ": " + msg);
			return -1;
		}
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
