// Hostile programs: reading secrets, setuid binaries, capabilities, other
// processes.
#include "integration/hostile.hpp"

#include <algorithm>

namespace sbx::test {
namespace {

class HostilePrivilege : public Hostile {};

TEST_F(HostilePrivilege, SecretsAndInitsInsidesAreUnreadable) {
    // The images ship no /etc/shadow (if one did, it is root's, mode 0640,
    // and the program is nobody without CAP_DAC_OVERRIDE). sbx-init is not
    // dumpable: its /proc entries belong to root.
    const Timed t = run("python",
                        "import errno, os\n"
                        "def attempt(path):\n"
                        "    try:\n"
                        "        if os.path.isdir(path): os.listdir(path)\n"
                        "        else: open(path, 'rb').read(1)\n"
                        "        print('READ', path)\n"
                        "    except OSError as e:\n"
                        "        print('refused', path, errno.errorcode[e.errno])\n"
                        "for p in ('/etc/shadow', '/etc/gshadow', '/root', '/proc/1/environ',\n"
                        "          '/proc/1/fd', '/proc/1/mem', '/proc/1/root/etc',\n"
                        "          '/proc/kcore'):\n"
                        "    attempt(p)\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    const std::string out = str(r, "stdout");
    std::vector<std::string> lines{"refused /etc/shadow ", "refused /etc/gshadow ",
                                   "refused /root ", "refused /proc/1/mem EACCES",
                                   "refused /proc/1/root/etc EACCES", "refused /proc/kcore "};
    if (under_gvisor()) {
        // gVisor's /proc/1/environ is world-readable (mode 0444, Linux: 0400)
        // and /proc/1/fd listable (0555, Linux: 0500) whatever dumpable says:
        // the environment holds nothing secret, and the descriptors listed
        // cannot be opened (HostileAgent.InitsDescriptorsAndMemoryAreOutOfReach).
        lines.insert(lines.end(), {"READ /proc/1/environ", "READ /proc/1/fd"});
    } else {
        lines.insert(lines.end(), {"refused /proc/1/environ EACCES", "refused /proc/1/fd EACCES"});
        EXPECT_EQ(out.find("READ"), std::string::npos) << dump(r);
    }
    for (const std::string &line : lines)
        EXPECT_NE(out.find(line), std::string::npos) << line << "\n" << dump(r);
    // Eight attempts, eight lines, each one of those above.
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 8) << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostilePrivilege, SetuidBinaryGainsNothing) {
    // su is setuid root in every image. Without no_new_privs it would run
    // with effective uid 0; it waits for a password on stdin meanwhile, which
    // gives time to read its ids from /proc.
    const Timed t = run("python",
                        "import os, stat, subprocess, time\n"
                        "assert os.stat('/usr/bin/su').st_mode & stat.S_ISUID\n"
                        "p = subprocess.Popen(['/usr/bin/su', '-c', 'id'], stdin=subprocess.PIPE,\n"
                        "                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
                        "uid = ''\n"
                        "for _ in range(100):\n"
                        "    time.sleep(0.02)\n"
                        "    status = open('/proc/%d/status' % p.pid).read()\n"
                        "    if 'su' in open('/proc/%d/comm' % p.pid).read():\n"
                        "        uid = [l for l in status.splitlines() if l.startswith('Uid:')][0]\n"
                        "        break\n"
                        "p.kill()\n"
                        "p.wait()\n"
                        "print(uid.split())\n"
                        "print(os.geteuid(), os.getegid(), sorted(os.getgroups()))\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "['Uid:', '65534', '65534', '65534', '65534']\n"
                                "65534 65534 [65534]\n")
        << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostilePrivilege, WritableMountsGiveNoSetuidAndNoDevices) {
    // A setuid file the program makes of its own is no gain (it is nobody's),
    // no_new_privs makes exec ignore setuid bits anyway (SetuidBinaryGains-
    // Nothing), and without CAP_MKNOD no device node can be made (runc).
    const Timed t = run("python",
                        "import errno, os, stat\n"
                        "mounts = {}\n"
                        "for line in open('/proc/self/mounts'):\n"
                        "    f = line.split()\n"
                        "    mounts[f[1]] = set(f[3].split(','))\n"
                        "for m in ('/workspace', '/tmp', '/dev/shm'):\n"
                        "    o = mounts.get(m, set())\n"
                        "    print(m, 'nosuid' if 'nosuid' in o else 'SUID', 'nodev' if 'nodev' in o "
                        "else 'DEV')\n"
                        "print('/', 'ro' if 'ro' in mounts.get('/', set()) else 'RW')\n"
                        "for d in ('/workspace', '/tmp', '/dev/shm'):\n"
                        "    try:\n"
                        "        os.mknod(d + '/null', 0o666 | stat.S_IFCHR, os.makedev(1, 3))\n"
                        "        print('MADE a device in', d)\n"
                        "    except OSError as e:\n"
                        "        print('mknod', d, errno.errorcode[e.errno])\n"
                        "try:\n"
                        "    os.mknod('/tmp/mem', 0o600 | stat.S_IFCHR, os.makedev(1, 1))\n"
                        "    os.close(os.open('/tmp/mem', os.O_RDONLY))\n"
                        "    print('OPENED /dev/mem')\n"
                        "except OSError as e:\n"
                        "    print('/dev/mem', errno.errorcode[e.errno])\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    // gVisor keeps no nosuid or nodev flag on these tmpfs mounts (nor shows
    // one), and its kernel lets the sandbox user make a device node there.
    // The node leads only to gVisor's own emulated devices, never the host's:
    // one for /dev/mem (1,1) cannot be opened (ENXIO); SECURITY.md.
    const std::string expected =
        under_gvisor() ? "/workspace SUID DEV\n/tmp SUID DEV\n/dev/shm SUID DEV\n/ ro\n"
                         "MADE a device in /workspace\nMADE a device in /tmp\n"
                         "MADE a device in /dev/shm\n/dev/mem ENXIO\n"
                       : "/workspace nosuid nodev\n/tmp nosuid nodev\n/dev/shm nosuid nodev\n/ ro\n"
                         "mknod /workspace EPERM\nmknod /tmp EPERM\nmknod /dev/shm EPERM\n"
                         "/dev/mem EPERM\n";
    EXPECT_EQ(str(r, "stdout"), expected) << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostilePrivilege, NoNewPrivsAndNoCapabilities) {
    // Asked from the kernel (prctl, capget) and read from /proc/self/status;
    // gVisor's status file has no NoNewPrivs and no CapAmb line, runc's has
    // both.
    const Timed t = run("python",
                        "import ctypes\n"
                        "libc = ctypes.CDLL(None, use_errno=True)\n"
                        "print('prctl no_new_privs', libc.prctl(39, 0, 0, 0, 0))\n"
                        "ambient = [c for c in range(64) if libc.prctl(47, 1, c, 0, 0) == 1]\n"
                        "print('ambient', ambient)\n"
                        "bounding = [c for c in range(64) if libc.prctl(23, c, 0, 0, 0) == 1]\n"
                        "print('bounding', bounding)\n"
                        "class Header(ctypes.Structure):\n"
                        "    _fields_ = [('version', ctypes.c_uint32), ('pid', ctypes.c_int)]\n"
                        "data = (ctypes.c_uint32 * 6)()\n"
                        "libc.capget(ctypes.byref(Header(0x20080522, 0)), data)\n"
                        "print('capget', list(data))\n"
                        "for line in open('/proc/self/status'):\n"
                        "    if line.startswith(('Cap', 'NoNewPrivs')):\n"
                        "        print(line.strip())\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    std::string want = "prctl no_new_privs 1\n"
                       "ambient []\n"
                       "bounding []\n"
                       "capget [0, 0, 0, 0, 0, 0]\n"
                       "CapInh:\t0000000000000000\n"
                       "CapPrm:\t0000000000000000\n"
                       "CapEff:\t0000000000000000\n"
                       "CapBnd:\t0000000000000000\n";
    if (!under_gvisor())
        want += "CapAmb:\t0000000000000000\n"
                "NoNewPrivs:\t1\n";
    EXPECT_EQ(str(r, "stdout"), want) << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostilePrivilege, InitKeepsAUidNoStageHas) {
    // sbx-init started as root and dropped everything: it works as the
    // sandbox user (effective and file-system ids) with a real and saved uid
    // of its own; the program is the sandbox user through and through.
    const Timed t = run("python",
                        "import os\n"
                        "for pid in ('1', 'self'):\n"
                        "    for line in open('/proc/%s/status' % pid):\n"
                        "        if line.startswith(('Uid:', 'Gid:', 'Groups:')):\n"
                        "            print(pid, ' '.join(line.split()))\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "1 Uid: 65533 65534 65533 65534\n"
                                "1 Gid: 65534 65534 65534 65534\n"
                                "1 Groups: 65534\n"
                                "self Uid: 65534 65534 65534 65534\n"
                                "self Gid: 65534 65534 65534 65534\n"
                                "self Groups: 65534\n")
        << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostilePrivilege, OnlyTheSandboxsOwnProcessesAreVisible) {
    const Timed t = run("python",
                        "import os\n"
                        "for p in sorted(int(p) for p in os.listdir('/proc') if p.isdigit()):\n"
                        "    cmd = open('/proc/%d/cmdline' % p, 'rb').read().split(b'\\0')[0]\n"
                        "    print(p, 'self' if p == os.getpid() else cmd.decode())\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    // sbx-init and the program: nothing of the host, no other container's.
    const std::string out = str(r, "stdout");
    EXPECT_EQ(out.rfind("1 /.sbx/init\n", 0), 0u) << dump(r);
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2) << dump(r);
    EXPECT_NE(out.find(" self\n"), std::string::npos) << dump(r);
    expect_next_run_clean("python");
}

} // namespace
} // namespace sbx::test
