#include "ui/training_monitor.h"

#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>
#include <exception>

#include "core/midi_roll.h"
#include "model/run_folder.h"
#include "ui/piano_roll_view.h"
#include "ui/training_plot.h"

namespace fm::ui {

namespace {

QString formatEta(double s) {
    if (!(s >= 0) || !std::isfinite(s)) return QStringLiteral("?");
    const int t = int(std::lround(s));
    return t >= 3600 ? QStringLiteral("%1 h %2 min").arg(t / 3600).arg((t % 3600) / 60)
         : t >= 60   ? QStringLiteral("%1 min %2 s").arg(t / 60).arg(t % 60)
                     : QStringLiteral("%1 s").arg(t);
}

}  // namespace

TrainingMonitor::TrainingMonitor(QWidget* parent) : QWidget(parent) {
    bar_ = new QProgressBar;
    bar_->setObjectName(QStringLiteral("progressBar"));
    bar_->setRange(0, 1);
    bar_->setValue(0);
    rate_ = new QLabel;
    rate_->setObjectName(QStringLiteral("rateLabel"));
    scan_ = new QLabel;
    scan_->setObjectName(QStringLiteral("scanLabel"));
    scan_->setWordWrap(true);

    loss_ = new TrainingPlot(tr("loss (bits/cell)"));
    loss_->setObjectName(QStringLiteral("lossPlot"));
    val_ = new TrainingPlot(tr("validation (bits/cell)"));
    val_->setObjectName(QStringLiteral("valPlot"));
    auto* plots = new QHBoxLayout;
    plots->addWidget(loss_);
    plots->addWidget(val_);

    sample_view_ = new PianoRollView;
    sample_view_->setObjectName(QStringLiteral("sampleView"));
    sample_view_->setZoom(3.0, 2.0);
    sample_view_->setMinimumHeight(160);
    sample_view_->setToolTip(tr("the newest preview sample: click to hear it"));
    sample_view_->viewport()->installEventFilter(this);
    sample_label_ = new QLabel(tr("Preview samples appear here every N steps (click one to hear it)."));
    sample_label_->setObjectName(QStringLiteral("sampleLabel"));
    auto* sample_box = new QVBoxLayout;
    sample_box->addWidget(sample_label_);
    sample_box->addWidget(sample_view_, 1);

    checkpoints_ = new QListWidget;
    checkpoints_->setObjectName(QStringLiteral("checkpointList"));
    use_ = new QPushButton(tr("&Use for Generation"));
    use_->setObjectName(QStringLiteral("useCheckpointButton"));
    use_->setToolTip(tr("load the selected checkpoint into the generate panel"));
    use_->setEnabled(false);
    connect(use_, &QPushButton::clicked, this, [this] { useSelectedCheckpoint(); });
    connect(checkpoints_, &QListWidget::currentRowChanged, this, [this](int row) { use_->setEnabled(row >= 0); });
    connect(checkpoints_, &QListWidget::itemDoubleClicked, this, [this] { useSelectedCheckpoint(); });
    auto* ckpt_box = new QVBoxLayout;
    ckpt_box->addWidget(new QLabel(tr("Checkpoints:")));
    ckpt_box->addWidget(checkpoints_, 1);
    ckpt_box->addWidget(use_);
    auto* lower = new QHBoxLayout;
    lower->addLayout(sample_box, 3);
    lower->addLayout(ckpt_box, 1);

    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("logEdit"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(bar_);
    layout->addWidget(rate_);
    layout->addWidget(scan_);
    layout->addLayout(plots, 2);
    layout->addLayout(lower, 2);
    layout->addWidget(log_, 1);
}

void TrainingMonitor::reset(const QString& outputDir) {
    dir_ = outputDir;
    loss_->clear();
    val_->clear();
    scan_->clear();
    rate_->clear();
    bar_->setValue(0);
    step_ = 0;
    setSample(Roll(), -1);
    refreshCheckpoints();
}

void TrainingMonitor::showStatus(const fm::TrainStatus& s) {
    if (!s.message.empty()) log(QString::fromStdString(s.message));
    if (s.scanned) {
        showScan(s.dataset);
        bar_->setRange(0, s.max_steps);
        bar_->setValue(s.step);
        step_ = s.step;
        return;
    }
    if (s.stopped) {
        refreshCheckpoints();
        return;
    }
    step_ = s.step;
    bar_->setRange(0, s.max_steps);
    bar_->setValue(s.step);
    rate_->setText(tr("step %1 / %2 · %3 steps/s · ETA %4")
                       .arg(s.step).arg(s.max_steps).arg(s.steps_per_s, 0, 'f', 2).arg(formatEta(s.eta_s)));
    loss_->addPoint(s.step, s.loss_bits);
    if (s.val_bits >= 0) {
        val_->addPoint(s.step, s.val_bits);
        log(tr("step %1: validation %2 bits/cell").arg(s.step).arg(s.val_bits, 0, 'f', 4));
        refreshCheckpoints();   // validation steps write `last` (and `best` when it improved)
    }
    if (s.sample.width > 0) setSample(s.sample, s.step);
}

void TrainingMonitor::showScan(const fm::CacheSummary& d) {
    scan_->setText(tr("Dataset: %1 MIDI files: %2 usable, %3 without notes, %4 failed%5")
                       .arg(d.files).arg(d.usable).arg(d.empty).arg(d.failed)
                       .arg(d.failed ? tr(" (the log says why)") : QString()));
}

void TrainingMonitor::loadHistory(const QString& outputDir) {
    reset(outputDir);
    QList<QPointF> loss, val;
    QString sample_path;
    int sample_step = -1;
    for (const fm::RunMetric& m : fm::read_run_metrics(outputDir.toStdString())) {
        loss << QPointF(m.step, m.loss_bits);
        if (m.val_bits >= 0) val << QPointF(m.step, m.val_bits);
        if (!m.sample.empty()) sample_path = QString::fromStdString(m.sample), sample_step = m.step;
        step_ = m.step;
    }
    loss_->setPoints(loss);
    val_->setPoints(val);
    bar_->setValue(step_);
    if (!sample_path.isEmpty() && QFileInfo::exists(sample_path)) {
        try {
            setSample(fm::load_midi(sample_path.toStdString()).roll, sample_step);
        } catch (const std::exception& e) {
            log(tr("The preview %1 could not be read: %2").arg(sample_path, QString::fromUtf8(e.what())));
        }
    }
}

void TrainingMonitor::refreshCheckpoints() {
    const QString selected = checkpoints_->currentItem() ? checkpoints_->currentItem()->data(Qt::UserRole).toString() : QString();
    checkpoints_->clear();
    if (dir_.isEmpty()) return;
    for (const fm::RunCheckpoint& c : fm::list_run_checkpoints(dir_.toStdString())) {
        QString text = QString::fromStdString(c.name);
        if (c.step >= 0) text += tr(" · step %1").arg(c.step);
        if (c.name == "best" && c.best_val_bits >= 0) text += tr(" · %1 bits/cell").arg(c.best_val_bits, 0, 'f', 4);
        if (c.step < 0) text += tr(" · unreadable header");
        auto* item = new QListWidgetItem(text, checkpoints_);
        item->setData(Qt::UserRole, QString::fromStdString(c.path));
        item->setToolTip(QString::fromStdString(c.path));
        if (item->data(Qt::UserRole).toString() == selected) checkpoints_->setCurrentItem(item);
    }
    if (!checkpoints_->currentItem() && checkpoints_->count()) checkpoints_->setCurrentRow(0);
}

QStringList TrainingMonitor::checkpointPaths() const {
    QStringList out;
    for (int i = 0; i < checkpoints_->count(); ++i) out << checkpoints_->item(i)->data(Qt::UserRole).toString();
    return out;
}

QString TrainingMonitor::scanSummary() const { return scan_->text(); }

void TrainingMonitor::log(const QString& line) { log_->appendPlainText(line); }

void TrainingMonitor::playSample() {
    if (sample_.width > 0) Q_EMIT playRequested(sample_);
}

bool TrainingMonitor::useSelectedCheckpoint() {
    QListWidgetItem* item = checkpoints_->currentItem();
    if (!item) return false;
    const QString path = item->data(Qt::UserRole).toString();
    log(tr("Using %1 for generation").arg(path));
    Q_EMIT useCheckpoint(path);
    return true;
}

bool TrainingMonitor::eventFilter(QObject* watched, QEvent* event) {
    if (watched == sample_view_->viewport() && event->type() == QEvent::MouseButtonRelease) playSample();
    return QWidget::eventFilter(watched, event);
}

void TrainingMonitor::setSample(const Roll& roll, int step) {
    sample_ = roll;
    sample_step_ = step;
    sample_view_->setRoll(roll.width > 0 ? roll : Roll(16));
    if (roll.width > 0)
        sample_label_->setText(tr("Sample at step %1 (click to hear it)").arg(step));
    else
        sample_label_->setText(tr("Preview samples appear here every N steps (click one to hear it)."));
}

}  // namespace fm::ui
