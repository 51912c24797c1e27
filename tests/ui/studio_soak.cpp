// studio_soak.cpp — fm_studio_soak: drives one studio process for the soak scripts (not a CTest test: it runs for
// minutes and is killed on purpose). Offscreen (QT_QPA_PLATFORM=offscreen); settings go to the test location.
//
//   fm_studio_soak train --data DIR --out DIR --steps N [--eval_every K]
//       Training › New Run… in a studio window, a tiny model: starts the run, or, when DIR already holds
//       last.safetensors, opens the folder (Open Run…) and resumes it, as a user does after a crash. Exits 0 when the
//       run reached step N; 1 with the reason otherwise. scripts/soak-train.sh kills it with SIGKILL.
//   fm_studio_soak cycles --generate N --train M --data DIR --out DIR [--checkpoint FILE]
//       One studio window: N generate/cancel cycles (the shipped default model unless --checkpoint), then M training
//       start/stop cycles from the dialog. Prints VmRSS at the start, after the first tenth of each phase and at the
//       end; exits 1 when a cycle fails or memory grew by more than --bound_mb (64) after the first tenth.
#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QSignalSpy>
#include <QTimer>

#include <cstdio>
#include <functional>

#include "model/train_params.h"
#include "studio_test_support.h"
#include "ui/main_window.h"
#include "ui/model_source.h"
#include "ui/studio_metatypes.h"
#include "ui/training_dialog.h"

namespace {

using fm::ui::MainWindow;
using fm::ui::TrainingDialog;

int fail(const QString& why) {
    std::fprintf(stderr, "fm_studio_soak: %s\n", qPrintable(why));
    return 1;
}

// Spins the event loop until done() or the timeout; false on timeout.
bool waitFor(const std::function<bool()>& done, int timeout_ms) {
    QElapsedTimer t;
    t.start();
    while (!done()) {
        if (t.elapsed() > timeout_ms) return false;
        QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    }
    return true;
}

fm::TrainParams tinyRun(const QString& data, const QString& out, int steps, int eval_every) {
    fm::TrainParams p;
    p.train_data = data.toStdString();
    p.output_dir = out.toStdString();
    p.model = "tiny";
    p.crop_length = 64;
    p.train_batch_size = 2;
    p.plan_batch = 4;
    p.val_crops = 2;
    p.eval_every = eval_every;
    p.max_steps = steps;
    p.warmup_steps = 2;
    p.threads = 1;
    p.sample_every = 0;
    return p;
}

int train(const QString& data, const QString& out, int steps, int eval_every) {
    MainWindow window;
    window.setInteractive(false);
    window.showTrainingDialog();
    TrainingDialog* d = window.trainingDialog();
    if (!d) return fail(QStringLiteral("no training dialog"));
    const bool resume = QFileInfo::exists(out + QStringLiteral("/last.safetensors"));
    if (resume) {
        if (!d->openRun(out)) return fail(QStringLiteral("Open Run… refused %1").arg(out));
        if (!d->resumeRun()) return fail(QStringLiteral("Resume refused %1").arg(out));
    } else {
        d->setParams(tinyRun(data, out, steps, eval_every));
        if (!d->startRun()) return fail(QStringLiteral("Start refused: %1").arg(d->validate()));
    }
    std::printf("%s %s\n", resume ? "resumed" : "started", qPrintable(out));
    std::fflush(stdout);
    if (!waitFor([d] { return !d->running(); }, 3600 * 1000)) return fail(QStringLiteral("the run did not end in an hour"));
    if (d->lastStep() != steps) return fail(QStringLiteral("the run ended at step %1 of %2").arg(d->lastStep()).arg(steps));
    std::printf("finished at step %d\n", d->lastStep());
    return 0;
}

int cycles(int generate_cycles, int train_cycles, const QString& data, const QString& out, const QString& checkpoint,
           long bound_kb) {
    MainWindow window;
    window.setInteractive(false);
    window.show();
    QSignalSpy ready(&window, &MainWindow::modelReady);
    QSignalSpy failed(&window, &MainWindow::modelFailed);
    window.startUp({}, checkpoint);
    if (!waitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 120000) || ready.isEmpty())
        return fail(QStringLiteral("the model did not load: %1").arg(failed.isEmpty() ? QStringLiteral("timeout") : failed.first().at(0).toString()));
    const long rss_start = studiotest::residentKb();
    std::printf("VmRSS at the start (model loaded): %ld kB\n", rss_start);

    // Generate, then Cancel once the first level has drawn (or at once, every fourth cycle).
    long rss_warm = 0;
    int cancelled = 0;
    for (int i = 1; i <= generate_cycles; ++i) {
        bool finished = false, was_cancelled = false;
        QString error;
        auto c = QObject::connect(&window, &MainWindow::generationFinished, [&](bool cancel, const QString& e) {
            finished = true, was_cancelled = cancel, error = e;
        });
        window.generate();
        if (!window.generating()) return fail(QStringLiteral("generate cycle %1 did not start").arg(i));
        if (i % 4 == 0) window.cancelGeneration();
        else QTimer::singleShot(20 + (i * 37) % 200, &window, [&window] { window.cancelGeneration(); });
        const bool ended = waitFor([&] { return finished; }, 120000);
        QObject::disconnect(c);
        if (!ended) return fail(QStringLiteral("generate cycle %1 did not end").arg(i));
        if (!error.isEmpty()) return fail(QStringLiteral("generate cycle %1: %2").arg(i).arg(error));
        cancelled += was_cancelled;
        if (i == std::max(1, generate_cycles / 10)) rss_warm = studiotest::residentKb();
        if (i % 50 == 0) std::printf("  generate cycle %d: VmRSS %ld kB\n", i, studiotest::residentKb()), std::fflush(stdout);
    }
    const long rss_generated = studiotest::residentKb();
    std::printf("generate/cancel: %d cycles, %d cancelled mid-way; VmRSS after cycle %d: %ld kB, after the last: %ld kB\n",
                generate_cycles, cancelled, std::max(1, generate_cycles / 10), rss_warm, rss_generated);

    // Training: start a tiny run, stop it after a few steps; each cycle in a folder of its own.
    window.showTrainingDialog();
    TrainingDialog* d = window.trainingDialog();
    long rss_train_warm = 0;
    for (int i = 1; i <= train_cycles; ++i) {
        const QString dir = out + QStringLiteral("/cycle-%1").arg(i);
        QDir().mkpath(dir);
        d->setParams(tinyRun(data, dir, 1000, 5));
        if (!d->startRun()) return fail(QStringLiteral("training cycle %1 refused: %2").arg(i).arg(d->validate()));
        const int stop_at = 2 + i % 5;
        if (!waitFor([&] { return !d->running() || d->lastStep() >= stop_at; }, 300000))
            return fail(QStringLiteral("training cycle %1 made no progress").arg(i));
        d->stopRun();
        if (!waitFor([&] { return !d->running(); }, 120000)) return fail(QStringLiteral("training cycle %1 did not stop").arg(i));
        if (d->lastStep() < stop_at || d->lastStep() >= 1000)
            return fail(QStringLiteral("training cycle %1 stopped at step %2").arg(i).arg(d->lastStep()));
        if (!QFileInfo::exists(dir + QStringLiteral("/last.safetensors")))
            return fail(QStringLiteral("training cycle %1 saved no checkpoint").arg(i));
        QDir(dir).removeRecursively();
        if (i == std::max(1, train_cycles / 10)) rss_train_warm = studiotest::residentKb();
        if (i % 10 == 0) std::printf("  training cycle %d: VmRSS %ld kB\n", i, studiotest::residentKb()), std::fflush(stdout);
    }
    const long rss_end = studiotest::residentKb();
    std::printf("training start/stop: %d cycles; VmRSS after cycle %d: %ld kB, after the last: %ld kB\n", train_cycles,
                std::max(1, train_cycles / 10), rss_train_warm, rss_end);
    std::printf("VmRSS at the start: %ld kB, at the end: %ld kB (%+ld kB)\n", rss_start, rss_end, rss_end - rss_start);
    if (generate_cycles > 0 && rss_generated - rss_warm > bound_kb)
        return fail(QStringLiteral("generate/cancel grew by %1 kB").arg(rss_generated - rss_warm));
    if (train_cycles > 0 && rss_end - rss_train_warm > bound_kb)
        return fail(QStringLiteral("training start/stop grew by %1 kB").arg(rss_end - rss_train_warm));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    studiotest::isolateSettings();
    fm::ui::registerStudioMetaTypes();
    QCommandLineParser parser;
    parser.addPositionalArgument(QStringLiteral("mode"), QStringLiteral("train or cycles"));
    const QCommandLineOption data(QStringLiteral("data"), QStringLiteral("MIDI folder"), QStringLiteral("DIR"));
    const QCommandLineOption out(QStringLiteral("out"), QStringLiteral("run folder"), QStringLiteral("DIR"));
    const QCommandLineOption steps(QStringLiteral("steps"), QStringLiteral("steps"), QStringLiteral("N"), QStringLiteral("60"));
    const QCommandLineOption every(QStringLiteral("eval_every"), QStringLiteral("checkpoint every K steps"), QStringLiteral("K"), QStringLiteral("5"));
    const QCommandLineOption gen(QStringLiteral("generate"), QStringLiteral("generate/cancel cycles"), QStringLiteral("N"), QStringLiteral("200"));
    const QCommandLineOption tr(QStringLiteral("train"), QStringLiteral("training start/stop cycles"), QStringLiteral("M"), QStringLiteral("20"));
    const QCommandLineOption ckpt(QStringLiteral("checkpoint"), QStringLiteral("model"), QStringLiteral("FILE"));
    const QCommandLineOption bound(QStringLiteral("bound_mb"), QStringLiteral("allowed growth"), QStringLiteral("MB"), QStringLiteral("64"));
    for (const auto& o : {data, out, steps, every, gen, tr, ckpt, bound}) parser.addOption(o);
    parser.process(app);
    const QString mode = parser.positionalArguments().value(0);
    if (!parser.isSet(data) || !parser.isSet(out)) return fail(QStringLiteral("--data and --out are required"));
    const QString out_dir = QFileInfo(parser.value(out)).absoluteFilePath();
    if (mode == QLatin1String("train"))
        return train(parser.value(data), out_dir, parser.value(steps).toInt(), parser.value(every).toInt());
    if (mode == QLatin1String("cycles"))
        return cycles(parser.value(gen).toInt(), parser.value(tr).toInt(), parser.value(data), out_dir, parser.value(ckpt),
                      parser.value(bound).toLong() * 1024);
    return fail(QStringLiteral("mode: train or cycles"));
}
