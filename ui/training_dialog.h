// training_dialog.h — Training › New Run…: a form for fm::TrainParams with a data scan, Start / Pause / Stop /
// Resume / Open Run…, and a TrainingMonitor (plots, preview samples, checkpoints, log).
//
//   auto* dialog = new fm::ui::TrainingDialog(window);   // lives as long as the window: closing only hides it
//   dialog->startRun();                                   // false, with the reason shown, when the form is refused
//   dialog->openRun("runs/small");                        // a stopped or crashed run: its settings, curves, checkpoints
//   dialog->resumeRun();                                  // continues it at the step after its last checkpoint
//
// The run lives in a TrainingWorker on the dialog's own thread, so it goes on while the dialog is hidden; the main
// window shows it in the status bar and reopens the dialog from there. Resume starts the trainer again with
// resume = true in the same output folder (Steps may be raised to extend a finished run). In fm_studio. GUI thread.
#pragma once

#include <QDialog>
#include <QString>

#include "core/progress.h"
#include "model/trainer.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace fm {
struct CacheSummary;
}

namespace fm::ui {

class TrainingMonitor;
class JobThread;
class TrainingWorker;

class TrainingDialog : public QDialog {
    Q_OBJECT
public:
    explicit TrainingDialog(QWidget* parent = nullptr);
    ~TrainingDialog() override;

    fm::TrainParams params() const;   // the form as trainer parameters (resume = false); fields it has no control
                                      // for come from the last setParams (an opened run), else the defaults
    void setParams(const fm::TrainParams& p);
    QString validate() const;         // empty when the form can start a run, else the reason
    bool running() const { return running_; }
    bool paused() const { return paused_; }
    int lastStep() const;
    TrainingMonitor* monitor() const { return monitor_; }
    bool scanning() const { return scanning_; }
    bool trainerHolding() const;   // paused, and the trainer is waiting after its last reported step

public Q_SLOTS:
    bool startRun();                        // checks the inputs; false (with the reason shown) when refused
    bool resumeRun();
    void stopRun();
    void setPaused(bool paused);
    bool openRun(const QString& dir);       // false (with the reason shown) when dir is not a run folder
    bool scanDataset();                     // parses the dataset on a thread; the summary shows in the monitor

Q_SIGNALS:
    void runningChanged(bool running, const QString& outputDir);
    void statusChanged(const QString& line);   // "Training: step 120/1000" for the main window's status bar
    void playRequested(const fm::Roll& roll);  // a preview sample was clicked
    void useCheckpoint(const QString& path);   // "Use for Generation"
    void scanFinished();

private:
    bool launch(bool resume);
    void onProgress(const fm::TrainStatus& s);
    void onFinished(bool stopped, const QString& error);
    void onScanned(const fm::CacheSummary& summary, const QString& error);
    void updateButtons();
    void refuse(const QString& why);
    static QString checked(const fm::TrainParams& p);   // fm::validate's refusal as a message, empty when none
    void versionChanged();

    QLineEdit* data_ = nullptr;
    QPushButton* scan_ = nullptr;
    QComboBox* version_ = nullptr;
    QSpinBox* crop_ = nullptr;
    QComboBox* model_ = nullptr;
    QComboBox* gen_[4] = {};
    QComboBox* scan_order_ = nullptr;
    QComboBox* cells_ = nullptr;
    QCheckBox* plan_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QSpinBox* steps_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QSpinBox* eval_every_ = nullptr;
    QSpinBox* val_crops_ = nullptr;
    QSpinBox* sample_every_ = nullptr;
    QComboBox* device_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QLineEdit* output_ = nullptr;
    QLabel* message_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* pause_ = nullptr;
    QPushButton* stop_ = nullptr;
    QPushButton* resume_ = nullptr;
    QPushButton* open_ = nullptr;
    TrainingMonitor* monitor_ = nullptr;

    TrainingWorker* worker_ = nullptr;
    JobThread* scan_jobs_ = nullptr;   // the dataset scan
    bool scanning_ = false;
    CancelFlag scan_cancel_{false};   // set by the destructor; scan_jobs_ is joined before this goes
    fm::TrainParams form_base_;   // what params() starts from: the defaults, or the settings setParams was given
    fm::TrainParams run_params_;
    bool have_run_ = false;
    bool running_ = false;
    bool paused_ = false;
};

}  // namespace fm::ui
