// Test helper: a skip for a missing server or tool that ctest reports as skipped, and that CI
// (CI=true, set by .ci/run) turns into a failure.
#pragma once

#include <QCoreApplication>
#include <QTest>

#include <atomic>

namespace visibleskip {

// The exit code that tests/CMakeLists.txt gives ctest as SKIP_RETURN_CODE.
constexpr int kSkippedExitCode = 77;

// Set by SKIP_UNLESS_CI on the test's thread; read by the main below once the tests ran.
inline std::atomic<bool> skipped{false};

inline bool inCi()
{
    return qEnvironmentVariable("CI") == QLatin1String("true");
}

} // namespace visibleskip

// Skips the current test function (every function, from initTestCase) because of what reason
// names; with CI=true, where every server and tool must be present, fails instead.
#define SKIP_UNLESS_CI(reason)                                                                       \
    do {                                                                                             \
        const QString why_ = (reason);                                                               \
        if (visibleskip::inCi())                                                                     \
            QFAIL(qPrintable(QStringLiteral("CI=true, so this must run: ") + why_));                 \
        visibleskip::skipped = true;                                                                 \
        QSKIP(qPrintable(why_));                                                                     \
    } while (false)

// QTEST_GUILESS_MAIN, except that a run with no failure and at least one SKIP_UNLESS_CI exits
// with kSkippedExitCode, so ctest says "Skipped" instead of "Passed".
#define VISIBLESKIP_GUILESS_MAIN(TestObject)                                                         \
    int main(int argc, char *argv[])                                                                 \
    {                                                                                                \
        QCoreApplication app(argc, argv);                                                            \
        TestObject tc;                                                                               \
        QTEST_SET_MAIN_SOURCE_PATH                                                                   \
        const int failures = QTest::qExec(&tc, argc, argv);                                          \
        return failures == 0 && visibleskip::skipped ? visibleskip::kSkippedExitCode : failures;     \
    }
