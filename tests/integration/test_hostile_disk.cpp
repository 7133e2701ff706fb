// Hostile programs: writing where nothing may be written, filling the
// writable mounts, one file past the file-size limit, files left for the
// next run.
#include "integration/hostile.hpp"

namespace sbx::test {
namespace {

class HostileDisk : public Hostile {
protected:
    static constexpr int disk_mb = 8;
};

TEST_F(HostileDisk, WritesToTheReadOnlyRootAreRefused) {
    // Each attempt prints "refused <path>" (with the errno when it is not
    // EROFS, EACCES or EPERM) or "WROTE <path>".
    const Timed t = run("python",
                        "import errno, os\n"
                        "def attempt(path, how):\n"
                        "    try:\n"
                        "        how(path)\n"
                        "        print('WROTE', path)\n"
                        "    except OSError as e:\n"
                        "        ok = e.errno in (errno.EROFS, errno.EACCES, errno.EPERM)\n"
                        "        print('refused', path, '' if ok else errno.errorcode[e.errno])\n"
                        "def create(p): open(p, 'x').close()\n"
                        "def append(p): open(p, 'a').close()\n"
                        "attempt('/new-file', create)\n"
                        "attempt('/etc/passwd', append)\n"
                        "attempt('/usr/bin/python3', append)\n"
                        "attempt('/usr/local/bin/tool', create)\n"
                        "attempt('/var/tmp/file', create)\n"
                        "attempt('/.sbx/init', append)\n"
                        "attempt('/etc/new-dir', os.mkdir)\n"
                        "attempt('/etc/hostname', lambda p: os.rename(p, p + '.old'))\n"
                        "attempt('/bin/sh', lambda p: os.chmod(p, 0o777))\n"
                        "attempt('/etc/hosts', os.unlink)\n",
                        {{"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "refused /new-file \n"
                                "refused /etc/passwd \n"
                                "refused /usr/bin/python3 \n"
                                "refused /usr/local/bin/tool \n"
                                "refused /var/tmp/file \n"
                                "refused /.sbx/init \n"
                                "refused /etc/new-dir \n"
                                "refused /etc/hostname \n"
                                "refused /bin/sh \n"
                                "refused /etc/hosts \n")
        << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileDisk, FillingEachWritableMountStopsAtDiskMb) {
    // Writes 1 MB files (each under the file-size limit) into the workspace,
    // /tmp and /dev/shm until the mount is full, then empties it again.
    const Timed t = run("python",
                        "import errno, os\n"
                        "block = b'd' * (1 << 20)\n"
                        "for d in ('/workspace', '/tmp', '/dev/shm'):\n"
                        "    written, names, why = 0, [], 'no error'\n"
                        "    try:\n"
                        "        while written < (64 << 20):\n"
                        "            name = os.path.join(d, 'fill%d' % len(names))\n"
                        "            names.append(name)\n"
                        "            with open(name, 'wb') as f:\n"
                        "                for i in range(16):\n"
                        "                    written += f.write(block[:1 << 16])\n"
                        "    except OSError as e:\n"
                        "        why = errno.errorcode[e.errno]\n"
                        "    for name in names:\n"
                        "        if os.path.exists(name): os.unlink(name)\n"
                        "    print(d, why, 'within' if written <= (" +
                            std::to_string(disk_mb) + " << 20) else 'PAST', 'the limit')\n",
                        {{"disk_mb", disk_mb}, {"time_s", 10}, {"memory_mb", 128}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "/workspace ENOSPC within the limit\n"
                                "/tmp ENOSPC within the limit\n"
                                "/dev/shm ENOSPC within the limit\n")
        << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileDisk, OneFilePastTheSizeLimitIsKilledBySigxfsz) {
    // One byte written at the limit: SIGXFSZ (signal 25), whose default
    // action ends the program, before a single block is used.
    const Timed t = run("c",
                        "#include <fcntl.h>\n"
                        "#include <stdio.h>\n"
                        "#include <unistd.h>\n"
                        "int main(void) {\n"
                        "    int fd = open(\"/tmp/big\", O_WRONLY | O_CREAT, 0600);\n"
                        "    ssize_t n = pwrite(fd, \"x\", 1, (off_t)" +
                            std::to_string(disk_mb) + " << 20);\n"
                        "    printf(\"wrote %zd\\n\", n);\n"
                        "    return 0;\n"
                        "}\n",
                        {{"disk_mb", disk_mb}, {"time_s", 3}});
    const json::object &r = t.result;
    ASSERT_EQ(str(r.at("compile").as_object(), "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "status"), "execution_error") << dump(r);
    EXPECT_EQ(r.at("signal"), json::value(25)) << dump(r);
    EXPECT_TRUE(r.at("exit_code").is_null()) << dump(r);
    EXPECT_EQ(str(r, "stdout"), "") << dump(r);
    expect_next_run_clean("c");
}

TEST_F(HostileDisk, OneFilePastTheSizeLimitFailsWithEfbigWhenSigxfszIsIgnored) {
    // Python ignores SIGXFSZ: the write fails with EFBIG instead, at the
    // limit, in the workspace as in /tmp.
    const Timed t = run("python",
                        "import errno\n"
                        "for path in ('/workspace/big', '/tmp/big'):\n"
                        "    with open(path, 'wb', buffering=0) as f:\n"
                        "        f.seek(" + std::to_string(disk_mb) + " << 20)\n"
                        "        try:\n"
                        "            f.write(b'x')\n"
                        "            print(path, 'WROTE')\n"
                        "        except OSError as e:\n"
                        "            print(path, errno.errorcode[e.errno])\n",
                        {{"disk_mb", disk_mb}, {"time_s", 3}});
    const json::object &r = t.result;
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "/workspace/big EFBIG\n/tmp/big EFBIG\n") << dump(r);
    expect_next_run_clean("python");
}

TEST_F(HostileDisk, FilesOfOneRunAreGoneInTheNext) {
    const Timed first = run("bash",
                            "echo secret > /workspace/left && echo workspace\n"
                            "mkdir -p /workspace/.hidden/deep && echo secret > "
                            "/workspace/.hidden/deep/left && echo hidden\n"
                            "echo secret > /tmp/left && echo tmp\n"
                            "echo secret > /dev/shm/left && echo shm\n"
                            "echo secret 2>/dev/null > /var/tmp/left && echo var-tmp || "
                            "echo var-tmp refused\n",
                            {{"time_s", 3}});
    EXPECT_EQ(str(first.result, "status"), "success") << dump(first.result);
    EXPECT_EQ(str(first.result, "stdout"), "workspace\nhidden\ntmp\nshm\nvar-tmp refused\n")
        << dump(first.result);
    const Timed second = run("bash",
                             "for f in /workspace/left /workspace/.hidden /tmp/left "
                             "/dev/shm/left /var/tmp/left; do\n"
                             "    [[ -e $f ]] && echo \"still there: $f\"\n"
                             "done\n"
                             "echo checked\n");
    EXPECT_EQ(str(second.result, "stdout"), "checked\n") << dump(second.result);
    expect_next_run_clean("bash");
}

} // namespace
} // namespace sbx::test
