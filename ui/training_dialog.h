// training_dialog.h — Training › New run…: a form for fm::TrainParams, Start / Stop / Resume, and a monitor
// (progress bar, steps/s and ETA, a log, loss and validation bits/cell plots).
//
// The run lives in a TrainingWorker on the dialog's own thread; closing the dialog only hides it, so the run goes
// on and the main window can show it again. Inputs are checked before a start (validate() says why not).
// Resume starts the trainer again with resume = true in the same output folder. In fm_studio. GUI thread only.
#pragma once

#include <QDialog>
#include <QString>
#include <QVector>
#include <QPointF>
#include <QWidget>

#include "model/trainer.h"

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QThread;

namespace fm::ui {

class TrainingWorker;

// A small line plot (x: step, y: value) with its title and the newest value.
class LinePlot : public QWidget {
public:
    explicit LinePlot(const QString& title, QWidget* parent = nullptr);
    void addPoint(double x, double y);
    void clear();
    int pointCount() const { return int(points_.size()); }
    QSize sizeHint() const override { return {320, 140}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString title_;
    QVector<QPointF> points_;
};

class TrainingDialog : public QDialog {
    Q_OBJECT
public:
    explicit TrainingDialog(QWidget* parent = nullptr);
    ~TrainingDialog() override;

    fm::TrainParams params() const;   // the form as trainer parameters (resume = false)
    QString validate() const;         // empty when the form can start a run, else the reason
    bool running() const { return running_; }
    int lastStep() const { return last_step_; }

public Q_SLOTS:
    bool startRun();    // checks the inputs; false (with the reason shown) when they are refused
    bool resumeRun();
    void stopRun();

Q_SIGNALS:
    void runningChanged(bool running, const QString& outputDir);
    void statusChanged(const QString& line);   // "training: step 120/1000" for the main window's status bar

private:
    bool launch(bool resume);
    void onProgress(const fm::TrainStatus& s);
    void onFinished(bool stopped, const QString& error);
    void updateButtons();
    void log(const QString& line);
    void versionChanged();

    QLineEdit* data_ = nullptr;
    QComboBox* version_ = nullptr;
    QSpinBox* crop_ = nullptr;
    QComboBox* model_ = nullptr;
    QComboBox* gen_[4] = {};
    QComboBox* scan_ = nullptr;
    QSpinBox* batch_ = nullptr;
    QSpinBox* steps_ = nullptr;
    QDoubleSpinBox* lr_ = nullptr;
    QSpinBox* eval_every_ = nullptr;
    QSpinBox* val_crops_ = nullptr;
    QComboBox* device_ = nullptr;
    QSpinBox* threads_ = nullptr;
    QLineEdit* output_ = nullptr;
    QLabel* message_ = nullptr;
    QPushButton* start_ = nullptr;
    QPushButton* stop_ = nullptr;
    QPushButton* resume_ = nullptr;
    QProgressBar* bar_ = nullptr;
    QLabel* rate_ = nullptr;
    QPlainTextEdit* log_ = nullptr;
    LinePlot* loss_plot_ = nullptr;
    LinePlot* val_plot_ = nullptr;

    QThread* thread_ = nullptr;
    TrainingWorker* worker_ = nullptr;
    fm::TrainParams run_params_;
    bool have_run_ = false;
    bool running_ = false;
    int last_step_ = 0;
};

}  // namespace fm::ui
