# Copyright 2026 openrc-kexec developers
# Distributed under the terms of the GNU General Public License v2

EAPI=8

inherit meson

DESCRIPTION="Fast reboots for OpenRC: reboot jumps into the next kernel with kexec"
HOMEPAGE="https://github.com/openrc-kexec/openrc-kexec"
SRC_URI="https://github.com/openrc-kexec/openrc-kexec/archive/v${PV}.tar.gz -> ${P}.tar.gz"

LICENSE="BSD-2"
SLOT="0"
KEYWORDS="~amd64 ~arm64"
IUSE="test"
RESTRICT="!test? ( test )"

DEPEND="
	sys-apps/kmod:=
	sys-apps/openrc:=
	sys-libs/zlib:=
	app-arch/zstd:=
"
# kexec-tools: kexec_load through kexec(8) is the only way to stage on a
# kernel without CONFIG_KEXEC_FILE
RDEPEND="${DEPEND}
	sys-apps/kexec-tools
"
BDEPEND="
	app-text/scdoc
	virtual/pkgconfig
	test? ( dev-util/shellcheck )
"

src_configure() {
	local emesonargs=(
		-Dman=enabled
		-Dopenrc_run=/sbin/openrc-run
		# the services go in with doinitd and doconfd below
		-Dservices=false
	)
	meson_src_configure
}

src_test() {
	# the real-boot, other-stack and fuzz suites need QEMU, other builds and clang
	meson_src_test --no-suite vm --no-suite stack --no-suite lint
}

src_install() {
	meson_src_install
	doinitd "${BUILD_DIR}"/init.d/kexec-load "${BUILD_DIR}"/init.d/kexec-exec
	doconfd conf.d/kexec-load
}

pkg_postinst() {
	elog "Enable it with:"
	elog "  rc-update add kexec-load default"
	elog "  rc-update add kexec-exec shutdown"
	elog "and check the machine with: kexec-prep check"
}
