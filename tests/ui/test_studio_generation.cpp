// test_studio_generation.cpp — GenerationWorker with a tiny random-weight engine: progress for every level (and
// the last report always), complete rolls, cancel with a partial roll, errors as messages.
#include <QElapsedTimer>
#include <QTest>

#include <set>

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include "model/checkpoint.h"
#include "model/fractal_net.h"
#include "model/model_config.h"
#include "studio_test_support.h"

using fm::ui::GenerationWorker;
using studiotest::WorkerRecorder;

class TestStudioGeneration : public QObject {
    Q_OBJECT
    std::shared_ptr<fm::Engine> engine_;

private Q_SLOTS:
    void initTestCase() {
        fm::ui::registerStudioMetaTypes();
        engine_ = std::shared_ptr<fm::Engine>(fm::Engine::create(fm::model_preset("tiny"), 7));
    }

    void progressForEveryLevelThenCompleteRolls() {
        studiotest::WorkerThread w(engine_);
        WorkerRecorder rec(w.worker);
        fm::GenerateParams p;
        p.width = 128, p.num_samples = 2, p.seed = 3;
        w.start(p);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 90000);

        const auto& result = rec.finished.front();
        QCOMPARE(result.cancelled, false);
        QVERIFY2(result.error.isEmpty(), qPrintable(result.error));
        QCOMPARE(int(result.rolls.size()), 2);
        for (const fm::Roll& r : result.rolls) {
            QCOMPARE(r.width, 128);
            QCOMPARE(r.rows, 128);
            QCOMPARE(studiotest::unknownCells(r), 0);
        }

        std::set<int> levels;
        for (const auto& r : rec.progress) {
            levels.insert(r.level);
            QCOMPARE(r.canvas.width, 128);
            QVERIFY(r.step >= 1 && r.step <= r.of);
        }
        QVERIFY2(levels == (std::set<int>{0, 1, 2}), "a progress report for each of the levels 0, 1 and 2");
        // The first report is a fresh canvas (mostly unknown); the last report of the run always arrives: level 0's
        // last step, with the canvas fully generated and equal to the first roll.
        QVERIFY(studiotest::unknownCells(rec.progress.front().canvas) > 0);
        const auto& last = rec.progress.back();
        QCOMPARE(last.level, 0);
        QCOMPARE(last.step, last.of);
        QCOMPARE(studiotest::unknownCells(last.canvas), 0);
        QVERIFY(last.canvas == result.rolls[0]);
    }

    void reportsAreThrottled() {
        // A long run (thousands of generator reports): at most one signal per interval, plus the first report of each
        // level and the held-back last one.
        studiotest::WorkerThread w(engine_);
        WorkerRecorder rec(w.worker);
        fm::GenerateParams p;
        p.width = 384, p.num_iter = {16, 8, 4}, p.seed = 4;
        QElapsedTimer clock;
        clock.start();
        w.start(p);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 240000);   // about 2 s; minutes under TSan on a busy machine
        const double seconds = clock.elapsed() / 1000.0;
        const int budget = int(1.2 * seconds * 1000 / GenerationWorker::reportIntervalMs()) + 10;   // unthrottled: thousands
        qInfo("%zu reports in %.2f s (budget %d)", rec.progress.size(), seconds, budget);
        QVERIFY(int(rec.progress.size()) <= budget);
        // 384 steps with a 128-step model: 5 windows, named by each report; the held-back last one is the last window's.
        for (const auto& r : rec.progress) QCOMPARE(r.windows, 5);
        QCOMPARE(rec.progress.front().window, 0);
        QCOMPARE(rec.progress.back().window, 4);
    }

    void cancelReturnsThePartialRoll() {
        studiotest::WorkerThread w(engine_);
        // Cancel at the very first report; many top-level iterations keep the run going long after it.
        QObject::connect(w.worker, &GenerationWorker::progress, w.worker, [&w] { w.worker->cancel(); });
        WorkerRecorder rec(w.worker);
        fm::GenerateParams p;
        p.width = 256, p.num_iter = {64, 16, 8}, p.seed = 5;
        w.start(p);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 90000);
        const auto& result = rec.finished.front();
        QCOMPARE(result.cancelled, true);
        QVERIFY(result.error.isEmpty());
        QCOMPARE(int(result.rolls.size()), 1);
        QCOMPARE(result.rolls[0].width, 256);
        const int unknown = studiotest::unknownCells(result.rolls[0]);
        QVERIFY2(unknown > 0 && unknown < 128 * 256, qPrintable(QString::number(unknown)));
    }

    void cancelFromTheGuiThreadMidway() {
        studiotest::WorkerThread w(engine_);
        WorkerRecorder rec(w.worker);
        fm::GenerateParams p;
        p.width = 1024, p.num_iter = {32, 16, 8}, p.seed = 11;
        w.start(p);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.progress.empty(), 90000);
        w.worker->cancel();
        QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 90000);
        QCOMPARE(rec.finished.front().cancelled, true);
        QVERIFY(studiotest::unknownCells(rec.finished.front().rolls.at(0)) > 0);
        QVERIFY(!w.worker->busy());
    }

    void errorsComeBackAsMessages() {
        {
            studiotest::WorkerThread w(nullptr);
            WorkerRecorder rec(w.worker);
            w.start(fm::GenerateParams{});
            QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 10000);
            QVERIFY(rec.finished.front().error.contains(QStringLiteral("no model")));
        }
        studiotest::WorkerThread w(engine_);
        WorkerRecorder rec(w.worker);
        fm::GenerateParams p;
        p.width = 130;
        w.start(p);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.finished.empty(), 10000);
        QVERIFY2(rec.finished.front().error.contains(QStringLiteral("multiple of 4")), qPrintable(rec.finished.front().error));
        QVERIFY(rec.finished.front().rolls.empty());
    }

    void loadingABadCheckpointFailsWithTheFileName() {
        studiotest::WorkerThread w(nullptr);
        WorkerRecorder rec(w.worker);
        w.worker->loadCheckpoint(QStringLiteral("/nonexistent/model.safetensors"));
        QTRY_VERIFY_WITH_TIMEOUT(!rec.failed.isEmpty(), 30000);
        QVERIFY2(rec.failed.front().contains(QStringLiteral("model.safetensors")), qPrintable(rec.failed.front()));
        QVERIFY(rec.ready.empty());
        w.worker->createRandom(QStringLiteral("tiny"), 1);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.ready.empty(), 30000);
        const auto& info = rec.ready.front();
        QCOMPARE(info.preset, QStringLiteral("tiny"));
        QVERIFY(info.parameters > 0);
        QCOMPARE(info.generatorTypes.count(QLatin1Char(',')), 3);
        QCOMPARE(info.source, QStringLiteral("random weights"));
    }

    void aMultiTrackModelLoadsWithItsTrackNames() {
        // The studio shows a multi-track model's tracks (test_studio_tracks.cpp): the worker names them.
        fm::ModelConfig c = fm::model_preset("tiny");
        c.track_names = {"melody", "bridge", "piano"};
        const QString path = QDir(QDir::tempPath()).filePath(QStringLiteral("fm-three-tracks-%1.safetensors").arg(QCoreApplication::applicationPid()));
        fm::FractalNet net = fm::seeded_net(c, 1);
        fm::save_checkpoint(path.toStdString(), net, nullptr, {{"step", "0"}});
        studiotest::WorkerThread w(nullptr);
        WorkerRecorder rec(w.worker);
        w.worker->loadCheckpoint(path);
        QTRY_VERIFY_WITH_TIMEOUT(!rec.ready.empty() || !rec.failed.isEmpty(), 30000);
        QVERIFY(rec.failed.isEmpty());
        QCOMPARE(rec.ready.front().tracks, (QStringList{QStringLiteral("melody"), QStringLiteral("bridge"), QStringLiteral("piano")}));
        QFile::remove(path);
    }
};

QTEST_MAIN(TestStudioGeneration)
#include "test_studio_generation.moc"
