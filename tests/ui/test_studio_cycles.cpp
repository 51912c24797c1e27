// test_studio_cycles.cpp — 50 generate/cancel cycles through one GenerationWorker: every cycle finishes, no crash,
// and the resident memory after cycle 50 is within a generous bound of what it was after cycle 10.
#include <QTest>

#include "model/model_config.h"
#include "studio_test_support.h"

using fm::ui::GenerationWorker;

class TestStudioCycles : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void fiftyGenerateCancelCyclesWithoutGrowth() {
        fm::ui::registerStudioMetaTypes();
        studiotest::WorkerThread w(std::shared_ptr<fm::Engine>(fm::Engine::create(fm::model_preset("tiny"), 1)));
        studiotest::WorkerRecorder rec(w.worker);
        constexpr int kCycles = 50;
        constexpr long kBoundKb = 64 * 1024;   // generous: allocator caches and Qt's event pools settle early
        long rss10 = 0;
        int cancelled = 0;
        for (int cycle = 1; cycle <= kCycles; ++cycle) {
            rec.clear();
            fm::GenerateParams p;
            p.width = cycle % 2 ? 512 : 1024;   // long enough that the cancel lands mid-way
            p.num_iter = {16, 8, 4};
            p.num_samples = 1 + cycle % 3;
            p.seed = uint64_t(cycle);
            w.start(p);
            QTRY_VERIFY_WITH_TIMEOUT(!rec.progress.empty() || !rec.finished.empty(), 60000);
            w.worker->cancel();
            QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 60000);
            const auto& result = rec.finished.front();
            QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
            QCOMPARE(int(result.rolls.size()), p.num_samples);
            cancelled += result.cancelled;
            if (cycle == 10) rss10 = studiotest::residentKb();
        }
        const long rss50 = studiotest::residentKb();
        qInfo("VmRSS after cycle 10: %ld kB, after cycle 50: %ld kB; %d of %d cycles cancelled mid-way", rss10, rss50,
              cancelled, kCycles);
        QVERIFY(cancelled > 0);
        if (rss10 > 0) QVERIFY2(rss50 - rss10 < kBoundKb, qPrintable(QStringLiteral("grew by %1 kB").arg(rss50 - rss10)));
    }
};

QTEST_MAIN(TestStudioCycles)
#include "test_studio_cycles.moc"
