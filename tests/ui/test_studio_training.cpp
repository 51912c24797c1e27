// test_studio_training.cpp — Training › New run…: a tiny run started from the dialog's widgets shows progress and
// writes a checkpoint; Stop, then Resume continues from the stopped step to the end; bad inputs are refused with a
// message; the main window's action opens the dialog and its status bar shows the run. Pause holds the step;
// preview samples appear and play on a click; checkpoints are listed and "Use for Generation" loads one into the
// window's model; the data scan names what failed; a stopped run reopened from its folder resumes at the next step.
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QListWidget>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTest>

#include <fstream>

#include "support/test_support.h"
#include "model/engine.h"
#include "model/run_folder.h"
#include "ui/generate_panel.h"
#include "ui/main_window.h"
#include "ui/piano_roll_view.h"
#include "ui/training_dialog.h"
#include "ui/training_monitor.h"
#include "ui/training_plot.h"

using fm::ui::TrainingDialog;
using fm::ui::TrainingMonitor;
using fm::ui::TrainingPlot;

namespace {

QString makeCorpus() {
    const std::string dir = fmtest::temp_dir("training_corpus");
    for (int f = 0; f < 6; ++f) {
        fmtest::TrackBuilder t;
        for (int i = 0; i < 64; ++i) t.note(i * 240, i * 240 + 200, 50 + (i * (f + 3)) % 24, 40 + (i * 7) % 80);
        fmtest::write_midi(dir, "song" + std::to_string(f) + ".mid", fmtest::make_smf(1, 480, {t.build()}));
    }
    return QString::fromStdString(dir);
}

template <class T>
T* child(QObject* parent, const char* name) {
    T* w = parent->findChild<T*>(QString::fromLatin1(name));
    if (!w) qFatal("no child %s", name);
    return w;
}

// A tiny, quick run: tiny model, 64-step crops, batch 2, validation every 10 steps on 2 crops, one CPU thread.
void fillTinyRun(TrainingDialog* d, const QString& data, const QString& out, int steps) {
    child<QLineEdit>(d, "dataEdit")->setText(data);
    child<QComboBox>(d, "versionCombo")->setCurrentIndex(0);
    child<QSpinBox>(d, "cropSpin")->setValue(64);
    child<QComboBox>(d, "modelCombo")->setCurrentText(QStringLiteral("tiny"));
    child<QSpinBox>(d, "batchSpin")->setValue(2);
    child<QSpinBox>(d, "stepsSpin")->setValue(steps);
    child<QSpinBox>(d, "evalEverySpin")->setValue(10);
    child<QSpinBox>(d, "valCropsSpin")->setValue(2);
    child<QSpinBox>(d, "sampleEverySpin")->setValue(0);
    child<QComboBox>(d, "deviceCombo")->setCurrentText(QStringLiteral("cpu"));
    child<QSpinBox>(d, "threadsSpin")->setValue(1);   // light beside the other tests
    child<QLineEdit>(d, "outputEdit")->setText(out);
}

}  // namespace

class TestStudioTraining : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void badInputsAreRefusedWithAMessage() {
        TrainingDialog d;
        const QString out = QString::fromStdString(fmtest::temp_dir("training_out"));
        auto* start = child<QPushButton>(&d, "startButton");
        auto* message = child<QLabel>(&d, "messageLabel");

        fillTinyRun(&d, QString::fromStdString(fmtest::temp_dir("training_empty")), out, 5);
        QTest::mouseClick(start, Qt::LeftButton);
        QVERIFY(!d.running());
        QVERIFY2(message->text().contains(QStringLiteral("no MIDI")), qPrintable(message->text()));

        fillTinyRun(&d, out + QStringLiteral("/does-not-exist"), out, 5);
        QVERIFY(!d.startRun());
        QVERIFY2(message->text().contains(QStringLiteral("does not exist")), qPrintable(message->text()));

        fillTinyRun(&d, makeCorpus(), out, 5);
        child<QSpinBox>(&d, "cropSpin")->setValue(70);   // not a multiple of 16
        QVERIFY(!d.startRun());
        QVERIFY2(message->text().contains(QStringLiteral("multiple of 16")), qPrintable(message->text()));

        child<QSpinBox>(&d, "cropSpin")->setValue(64);
        child<QLineEdit>(&d, "outputEdit")->clear();
        QVERIFY(!d.startRun());
        QVERIFY2(message->text().contains(QStringLiteral("output folder")), qPrintable(message->text()));

        child<QLineEdit>(&d, "outputEdit")->setText(out);   // nothing to resume in a fresh folder
        QVERIFY(!d.resumeRun());
        QVERIFY2(message->text().contains(QStringLiteral("Nothing to resume")), qPrintable(message->text()));
        QVERIFY(d.validate().isEmpty());
        QVERIFY(!d.running());
    }

    void startStopResumeFinish() {
        fm::ui::MainWindow window;
        window.setInteractive(false);
        window.trainingAction()->trigger();
        TrainingDialog* d = window.trainingDialog();
        QVERIFY(d);
        QVERIFY(d->isVisible());

        const QString out = QString::fromStdString(fmtest::temp_dir("training_run"));
        const int steps = 80;
        fillTinyRun(d, makeCorpus(), out, steps);
        auto* bar = child<QProgressBar>(d, "progressBar");
        auto* status = child<QLabel>(&window, "trainingStatusLabel");
        auto* stop = child<QPushButton>(d, "stopButton");

        // Stop as soon as step 10 is shown (tiny runs are fast: a click after a wait could come after the end).
        QString status_while_running;
        bool hidden_while_running = false;
        QMetaObject::Connection stopper = connect(bar, &QProgressBar::valueChanged, this, [&](int v) {
            if (v < 10 || !status_while_running.isEmpty()) return;
            status_while_running = status->text();
            hidden_while_running = !d->isVisible() && d->running();
            stop->click();
        });
        QTest::mouseClick(child<QPushButton>(d, "startButton"), Qt::LeftButton);
        QVERIFY(d->running());
        QVERIFY(!child<QPushButton>(d, "startButton")->isEnabled());
        QVERIFY(stop->isEnabled());
        QVERIFY(!status->isHidden());   // the window is not shown: isHidden, not isVisible

        d->close();   // the run goes on with the dialog closed
        QVERIFY(!d->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!status_while_running.isEmpty(), 120000);
        QTRY_VERIFY_WITH_TIMEOUT(!d->running(), 60000);
        disconnect(stopper);
        QVERIFY(hidden_while_running);
        QVERIFY2(status_while_running.contains(QStringLiteral("step")), qPrintable(status_while_running));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/last.safetensors")));
        window.trainingAction()->trigger();   // reopens the same monitor
        QCOMPARE(window.trainingDialog(), d);
        QVERIFY(d->isVisible());

        const int stopped_at = d->lastStep();
        QVERIFY2(stopped_at >= 10 && stopped_at < steps, qPrintable(QString::number(stopped_at)));
        QCOMPARE(bar->value(), stopped_at);
        QVERIFY(status->isHidden());
        QCOMPARE(child<TrainingPlot>(d, "lossPlot")->pointCount(), stopped_at);
        QVERIFY(child<TrainingPlot>(d, "valPlot")->pointCount() >= 1);
        QVERIFY(child<QPlainTextEdit>(d, "logEdit")->toPlainText().contains(QStringLiteral("Stopped at step %1").arg(stopped_at)));

        // Resume: the first step after the stop is stopped_at + 1, and the run reaches the end.
        const int loss_points = child<TrainingPlot>(d, "lossPlot")->pointCount();
        int first_resumed = 0;
        QMetaObject::Connection c = connect(bar, &QProgressBar::valueChanged, this, [&](int v) {
            if (first_resumed == 0 && v != stopped_at) first_resumed = v;
        });
        QTest::mouseClick(child<QPushButton>(d, "resumeButton"), Qt::LeftButton);
        QVERIFY(d->running());
        QTRY_VERIFY_WITH_TIMEOUT(!d->running(), 120000);
        disconnect(c);
        QCOMPARE(first_resumed, stopped_at + 1);
        QCOMPARE(d->lastStep(), steps);
        QCOMPARE(bar->value(), steps);
        QCOMPARE(child<TrainingPlot>(d, "lossPlot")->pointCount(), loss_points + (steps - stopped_at));
        QVERIFY(child<QPlainTextEdit>(d, "logEdit")->toPlainText().contains(QStringLiteral("Finished at step %1").arg(steps)));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/metrics.jsonl")));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/best.safetensors")));
    }

    void cudaIsOfferedOnlyWhenPresent() {
        TrainingDialog d;
        auto* device = child<QComboBox>(&d, "deviceCombo");
        QCOMPARE(device->findText(QStringLiteral("cuda")) >= 0, fm::cuda_available());
        QVERIFY(device->findText(QStringLiteral("cpu")) >= 0);
    }

    void pauseHoldsTheStepUntilContinued() {
        TrainingDialog d;
        const QString out = QString::fromStdString(fmtest::temp_dir("training_pause"));
        fillTinyRun(&d, makeCorpus(), out, 5000);
        auto* pause = child<QPushButton>(&d, "pauseButton");
        QVERIFY(!pause->isEnabled());
        QVERIFY(d.startRun());
        QTRY_VERIFY_WITH_TIMEOUT(d.lastStep() >= 3, 60000);
        pause->click();
        QVERIFY(d.paused());
        QVERIFY(d.running());
        QTRY_VERIFY_WITH_TIMEOUT(d.trainerHolding(), 60000);   // the step in flight (if any) has landed
        QCoreApplication::processEvents();                         // and its report, delivered before the wait
        const int held = d.lastStep();
        QTest::qWait(1500);
        QCOMPARE(d.lastStep(), held);   // nothing moves while paused
        pause->click();   // continue
        QVERIFY(!d.paused());
        QTRY_VERIFY_WITH_TIMEOUT(d.lastStep() > held, 60000);
        pause->click();   // paused again: Stop must still end the run and save
        d.stopRun();
        QTRY_VERIFY_WITH_TIMEOUT(!d.running(), 60000);
        QVERIFY(!d.paused());
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/last.safetensors")));
    }

    void samplesCheckpointsAndUseForGeneration() {
        fm::ui::MainWindow window;
        window.setInteractive(false);
        window.trainingAction()->trigger();
        TrainingDialog* d = window.trainingDialog();
        const QString out = QString::fromStdString(fmtest::temp_dir("training_samples"));
        fillTinyRun(d, makeCorpus(), out, 10);
        child<QSpinBox>(d, "sampleEverySpin")->setValue(5);
        child<QSpinBox>(d, "evalEverySpin")->setValue(5);
        QVERIFY(d->startRun());
        QTRY_VERIFY_WITH_TIMEOUT(!d->running(), 120000);

        TrainingMonitor* monitor = d->monitor();
        QCOMPARE(monitor->sampleStep(), 10);
        QCOMPARE(monitor->sample().width, 64);
        QVERIFY(child<QLabel>(d, "sampleLabel")->text().contains(QStringLiteral("step 10")));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/samples/step_5.mid")));
        QCOMPARE(child<fm::ui::PianoRollView>(d, "sampleView")->roll().width, 64);

        QSignalSpy play(d, &TrainingDialog::playRequested);   // a click on the preview plays it
        QTest::mouseClick(child<fm::ui::PianoRollView>(d, "sampleView")->viewport(), Qt::LeftButton, {}, QPoint(60, 40));
        QCOMPARE(play.count(), 1);
        QCOMPARE(play.at(0).at(0).value<fm::Roll>(), monitor->sample());

        auto* list = child<QListWidget>(d, "checkpointList");
        QCOMPARE(list->count(), 2);
        QVERIFY(list->item(0)->text().startsWith(QStringLiteral("best")));
        QVERIFY(list->item(1)->text().contains(QStringLiteral("step 10")));
        list->setCurrentRow(1);
        QSignalSpy ready(&window, &fm::ui::MainWindow::modelReady);
        child<QPushButton>(d, "useCheckpointButton")->click();
        QTRY_VERIFY_WITH_TIMEOUT(ready.count() == 1, 60000);
        const auto info = ready.at(0).at(0).value<fm::ui::ModelInfo>();
        QCOMPARE(info.source, out + QStringLiteral("/last.safetensors"));
        QCOMPARE(info.preset, QStringLiteral("tiny"));
        QCOMPARE(info.cropLength, 64);
    }

    void scanSummaryCountsAndNamesFailures() {
        TrainingDialog d;
        const QString corpus = makeCorpus();
        { std::ofstream bad((corpus + QStringLiteral("/broken.mid")).toStdString(), std::ios::binary); bad << "MThd oops"; }
        child<QLineEdit>(&d, "dataEdit")->setText(corpus);
        QSignalSpy done(&d, &TrainingDialog::scanFinished);
        child<QPushButton>(&d, "scanButton")->click();
        QVERIFY(d.scanning());
        QTRY_VERIFY_WITH_TIMEOUT(done.count() == 1, 60000);
        const QString summary = d.monitor()->scanSummary();
        QVERIFY2(summary.contains(QStringLiteral("7 MIDI files")) && summary.contains(QStringLiteral("6 usable")) &&
                     summary.contains(QStringLiteral("1 failed")),
                 qPrintable(summary));
        QVERIFY(child<QPlainTextEdit>(&d, "logEdit")->toPlainText().contains(QStringLiteral("broken.mid")));
    }

    void anOpenedRunKeepsTheSettingsTheFormLacksAndIsChecked() {
        const std::string dir = fmtest::temp_dir("training_hidden");
        fm::TrainParams p;
        p.train_data = "songs", p.model = "tiny", p.crop_length = 64;
        p.val_fraction = 0.35, p.pitch_shift = 5, p.ema = 0.9, p.seed = 42, p.weight_decay = 0.01, p.precision = "fp32";
        fm::write_run_params(dir, p, {});
        TrainingDialog d;
        QVERIFY(d.openRun(QString::fromStdString(dir)));
        fm::TrainParams expected = p;
        expected.device = d.params().device;   // the combo offers what this machine has
        expected.output_dir = dir;
        expected.warmup_steps = d.params().warmup_steps;   // the form shortens the warm-up of short runs
        QVERIFY(d.params() == expected);   // a new run from the opened one keeps its split, seed, ...
        QCOMPARE(d.params().val_fraction, 0.35);

        p.val_fraction = 1.5;   // a hand-edited folder: Resume refuses it with the trainer's own reason
        fm::write_run_params(dir, p, {});
        QVERIFY(d.openRun(QString::fromStdString(dir)));
        QVERIFY(!d.resumeRun());
        const QString message = child<QLabel>(&d, "messageLabel")->text();
        QVERIFY2(message.contains(QStringLiteral("--val_fraction")), qPrintable(message));
    }

    void reopenedRunResumesAtTheNextStep() {
        const QString out = QString::fromStdString(fmtest::temp_dir("training_reopen"));
        int stopped_at = 0;
        {
            TrainingDialog d;
            fillTinyRun(&d, makeCorpus(), out, 200);
            child<QSpinBox>(&d, "evalEverySpin")->setValue(7);
            QCOMPARE(child<QComboBox>(&d, "cellsCombo")->currentText(), QStringLiteral("notes"));   // the default
            child<QComboBox>(&d, "cellsCombo")->setCurrentText(QStringLiteral("velocity"));
            QVERIFY(d.startRun());
            QTRY_VERIFY_WITH_TIMEOUT(d.lastStep() >= 12, 60000);
            d.stopRun();
            QTRY_VERIFY_WITH_TIMEOUT(!d.running(), 60000);
            stopped_at = d.lastStep();
        }   // the app closes

        TrainingDialog d;   // a new session of the app
        QVERIFY(!d.openRun(QString::fromStdString(fmtest::temp_dir("training_notarun"))));
        QVERIFY(child<QLabel>(&d, "messageLabel")->text().contains(QStringLiteral("config.json")));
        QVERIFY(d.openRun(out));
        QCOMPARE(child<QComboBox>(&d, "modelCombo")->currentText(), QStringLiteral("tiny"));
        QCOMPARE(child<QSpinBox>(&d, "cropSpin")->value(), 64);
        QCOMPARE(child<QSpinBox>(&d, "evalEverySpin")->value(), 7);
        QCOMPARE(child<QComboBox>(&d, "cellsCombo")->currentText(), QStringLiteral("velocity"));
        QCOMPARE(d.lastStep(), stopped_at);
        QCOMPARE(child<TrainingPlot>(&d, "lossPlot")->pointCount(), stopped_at);
        QVERIFY(child<TrainingPlot>(&d, "valPlot")->pointCount() >= 1);
        QVERIFY(child<QListWidget>(&d, "checkpointList")->count() >= 1);

        child<QSpinBox>(&d, "stepsSpin")->setValue(stopped_at + 3);
        auto* bar = child<QProgressBar>(&d, "progressBar");
        int first_resumed = 0;
        connect(bar, &QProgressBar::valueChanged, this, [&](int v) { if (first_resumed == 0 && v != stopped_at) first_resumed = v; });
        QVERIFY(d.resumeRun());
        QTRY_VERIFY_WITH_TIMEOUT(!d.running(), 60000);
        QCOMPARE(first_resumed, stopped_at + 1);
        QCOMPARE(d.lastStep(), stopped_at + 3);
    }
};

QTEST_MAIN(TestStudioTraining)
#include "test_studio_training.moc"
