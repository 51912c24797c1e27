// training_monitor.h — the watching half of the training dialog: progress bar, steps/s and ETA, the data scan,
// loss and validation plots, the newest preview sample (click it to hear it), the run's checkpoints with
// "Use for Generation", and a log.
//
//   auto* monitor = new fm::ui::TrainingMonitor(this);
//   monitor->reset(outputDir);                 // a new run
//   monitor->showStatus(status);               // each fm::TrainStatus from the worker
//   monitor->loadHistory(outputDir);           // a reopened run: curves, last sample, checkpoints from its folder
//   connect(monitor, &TrainingMonitor::playRequested, playback, ...);
//   connect(monitor, &TrainingMonitor::useCheckpoint, window, ...);
//
// In fm_studio. GUI thread only.
#pragma once

#include <QString>
#include <QWidget>

#include "core/roll.h"
#include "model/trainer.h"

class QLabel;
class QListWidget;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace fm::ui {

class PianoRollView;
class TrainingPlot;

class TrainingMonitor : public QWidget {
    Q_OBJECT
public:
    explicit TrainingMonitor(QWidget* parent = nullptr);

    void reset(const QString& outputDir);              // clears curves, sample and log for a new run
    void showStatus(const fm::TrainStatus& status);
    void showScan(const fm::CacheSummary& summary);   // the data scan (before a run, or the trainer's own)
    void loadHistory(const QString& outputDir);        // curves, newest sample and checkpoints of an existing run
    void refreshCheckpoints();                         // re-reads the output folder's checkpoints
    void log(const QString& line);

    int step() const { return step_; }
    const Roll& sample() const { return sample_; }     // width 0 when none yet
    int sampleStep() const { return sample_step_; }
    QStringList checkpointPaths() const;               // as listed, best first
    QString scanSummary() const;                       // "909 MIDI files: 909 usable, 0 without notes, 0 failed"

public Q_SLOTS:
    void playSample();                                 // emits playRequested with the newest sample
    bool useSelectedCheckpoint();                      // emits useCheckpoint; false when none is selected

Q_SIGNALS:
    void playRequested(const fm::Roll& roll);
    void useCheckpoint(const QString& path);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;   // a click on the sample plays it

private:
    void setSample(const Roll& roll, int step);

    QString dir_;
    QProgressBar* bar_ = nullptr;
    QLabel* rate_ = nullptr;
    QLabel* scan_ = nullptr;
    TrainingPlot* loss_ = nullptr;
    TrainingPlot* val_ = nullptr;
    PianoRollView* sample_view_ = nullptr;
    QLabel* sample_label_ = nullptr;
    QListWidget* checkpoints_ = nullptr;
    QPushButton* use_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    Roll sample_;
    int sample_step_ = -1;
    int step_ = 0;
};

}  // namespace fm::ui
