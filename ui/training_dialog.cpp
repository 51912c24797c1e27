#include "ui/training_dialog.h"

#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPainter>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QThread>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "ui/training_worker.h"

namespace fm::ui {

LinePlot::LinePlot(const QString& title, QWidget* parent) : QWidget(parent), title_(title) {
    setMinimumSize(200, 100);
}

void LinePlot::addPoint(double x, double y) {
    if (!std::isfinite(y)) return;
    points_.push_back({x, y});
    update();
}

void LinePlot::clear() {
    points_.clear();
    update();
}

void LinePlot::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), palette().base());
    p.setPen(palette().text().color());
    QString head = title_;
    if (!points_.isEmpty()) head += QStringLiteral(": %1").arg(points_.back().y(), 0, 'f', 4);
    p.drawText(rect().adjusted(4, 2, -4, -2), Qt::AlignTop | Qt::AlignLeft, head);
    if (points_.size() < 2) return;
    double x0 = points_.front().x(), x1 = x0, y0 = points_.front().y(), y1 = y0;
    for (const QPointF& q : points_) {
        x0 = std::min(x0, q.x()), x1 = std::max(x1, q.x());
        y0 = std::min(y0, q.y()), y1 = std::max(y1, q.y());
    }
    if (x1 <= x0) x1 = x0 + 1;
    if (y1 <= y0) y1 = y0 + 1e-9;
    const QRectF area = QRectF(rect()).adjusted(6, 20, -6, -6);
    QPolygonF line;
    for (const QPointF& q : points_)
        line << QPointF(area.left() + (q.x() - x0) / (x1 - x0) * area.width(),
                        area.bottom() - (q.y() - y0) / (y1 - y0) * area.height());
    p.setRenderHint(QPainter::Antialiasing);
    p.setPen(QPen(palette().highlight().color(), 1.5));
    p.drawPolyline(line);
}

namespace {

QComboBox* combo(const QString& name, const QStringList& items, const QString& current) {
    auto* c = new QComboBox;
    c->setObjectName(name);
    c->addItems(items);
    c->setCurrentText(current);
    return c;
}

QSpinBox* spin(const QString& name, int lo, int hi, int value) {
    auto* s = new QSpinBox;
    s->setObjectName(name);
    s->setRange(lo, hi);
    s->setValue(value);
    return s;
}

QString formatEta(double s) {
    if (!(s >= 0) || !std::isfinite(s)) return QStringLiteral("?");
    const int t = int(std::lround(s));
    return t >= 3600 ? QStringLiteral("%1 h %2 min").arg(t / 3600).arg((t % 3600) / 60)
         : t >= 60   ? QStringLiteral("%1 min %2 s").arg(t / 60).arg(t % 60)
                     : QStringLiteral("%1 s").arg(t);
}

// A line edit with a "…" button that picks a folder into it.
QHBoxLayout* folderRow(QWidget* dialog, QLineEdit* edit, const QString& title) {
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    QObject::connect(browse, &QToolButton::clicked, dialog, [dialog, edit, title] {
        const QString dir = QFileDialog::getExistingDirectory(dialog, title, edit->text());
        if (!dir.isEmpty()) edit->setText(dir);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    return row;
}

}  // namespace

TrainingDialog::TrainingDialog(QWidget* parent) : QDialog(parent) {
    setWindowTitle(tr("Training"));
    setObjectName(QStringLiteral("trainingDialog"));
    const fm::TrainParams d;

    auto* form = new QFormLayout;
    data_ = new QLineEdit(QString::fromStdString(d.train_data));
    data_->setObjectName(QStringLiteral("dataEdit"));
    data_->setPlaceholderText(tr("folder of MIDI files (searched recursively) or a list file"));
    form->addRow(tr("Dataset:"), folderRow(this, data_, tr("Dataset folder")));

    version_ = combo(QStringLiteral("versionCombo"), {tr("128×128"), tr("256×256 (512 wide)")}, {});
    version_->setCurrentIndex(d.crop_length > 128 ? 1 : 0);
    form->addRow(tr("Version:"), version_);
    crop_ = spin(QStringLiteral("cropSpin"), 16, 512, d.crop_length);
    crop_->setSingleStep(16);
    crop_->setToolTip(tr("steps per training crop: a multiple of 16, at most the version's width"));
    form->addRow(tr("Crop length:"), crop_);
    connect(version_, &QComboBox::currentIndexChanged, this, &TrainingDialog::versionChanged);

    model_ = combo(QStringLiteral("modelCombo"), {QStringLiteral("tiny"), QStringLiteral("small"), QStringLiteral("base")},
                   QString::fromStdString(d.model));
    form->addRow(tr("Model size:"), model_);
    const QStringList types = QString::fromStdString(d.generator_types).split(QLatin1Char(','));
    auto* gen_row = new QHBoxLayout;
    const char* names[4] = {"level 0", "level 1", "level 2", "velocity"};
    for (int i = 0; i < 4; ++i) {
        gen_[i] = combo(QStringLiteral("genCombo%1").arg(i), {QStringLiteral("mar"), QStringLiteral("ar")},
                        i < types.size() ? types[i].trimmed() : QStringLiteral("mar"));
        gen_[i]->setToolTip(tr("generator of %1").arg(QLatin1String(names[i])));
        gen_row->addWidget(gen_[i]);
    }
    form->addRow(tr("Generators (levels 0, 1, 2, velocity):"), gen_row);
    scan_ = combo(QStringLiteral("scanCombo"), {QStringLiteral("row_major"), QStringLiteral("column_major")},
                  QString::fromStdString(d.scan_order));
    form->addRow(tr("Scan order (AR levels):"), scan_);
    batch_ = spin(QStringLiteral("batchSpin"), 1, 4096, d.train_batch_size);
    form->addRow(tr("Batch size:"), batch_);
    steps_ = spin(QStringLiteral("stepsSpin"), 1, 100000000, d.max_steps);
    form->addRow(tr("Steps:"), steps_);
    lr_ = new QDoubleSpinBox;
    lr_->setObjectName(QStringLiteral("lrSpin"));
    lr_->setDecimals(6);
    lr_->setRange(1e-6, 1.0);
    lr_->setSingleStep(1e-4);
    lr_->setValue(d.lr);
    form->addRow(tr("Learning rate:"), lr_);
    eval_every_ = spin(QStringLiteral("evalEverySpin"), 1, 1000000, d.eval_every);
    form->addRow(tr("Validate and save every (steps):"), eval_every_);
    val_crops_ = spin(QStringLiteral("valCropsSpin"), 1, 100000, d.val_crops);
    form->addRow(tr("Validation crops:"), val_crops_);
    device_ = combo(QStringLiteral("deviceCombo"), {QStringLiteral("auto"), QStringLiteral("cpu"), QStringLiteral("cuda")},
                    QString::fromStdString(d.device));
    device_->setToolTip(tr("auto: CUDA when present, else the CPU"));
    form->addRow(tr("Device:"), device_);
    threads_ = spin(QStringLiteral("threadsSpin"), 0, 1024, d.threads);
    threads_->setSpecialValueText(tr("all cores"));
    form->addRow(tr("CPU threads:"), threads_);
    output_ = new QLineEdit(QString::fromStdString(d.output_dir));
    output_->setObjectName(QStringLiteral("outputEdit"));
    output_->setPlaceholderText(tr("folder for checkpoints and metrics (created if absent)"));
    form->addRow(tr("Output folder:"), folderRow(this, output_, tr("Output folder")));

    message_ = new QLabel;
    message_->setObjectName(QStringLiteral("messageLabel"));
    message_->setWordWrap(true);

    start_ = new QPushButton(tr("&Start"));
    start_->setObjectName(QStringLiteral("startButton"));
    stop_ = new QPushButton(tr("S&top"));
    stop_->setObjectName(QStringLiteral("stopButton"));
    resume_ = new QPushButton(tr("&Resume"));
    resume_->setObjectName(QStringLiteral("resumeButton"));
    resume_->setToolTip(tr("continue the run in the output folder from its last checkpoint"));
    connect(start_, &QPushButton::clicked, this, [this] { startRun(); });
    connect(stop_, &QPushButton::clicked, this, &TrainingDialog::stopRun);
    connect(resume_, &QPushButton::clicked, this, [this] { resumeRun(); });
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(start_);
    buttons->addWidget(stop_);
    buttons->addWidget(resume_);
    buttons->addStretch(1);

    bar_ = new QProgressBar;
    bar_->setObjectName(QStringLiteral("progressBar"));
    bar_->setRange(0, d.max_steps);
    bar_->setValue(0);
    rate_ = new QLabel;
    rate_->setObjectName(QStringLiteral("rateLabel"));
    loss_plot_ = new LinePlot(tr("loss (bits/cell)"));
    loss_plot_->setObjectName(QStringLiteral("lossPlot"));
    val_plot_ = new LinePlot(tr("validation (bits/cell)"));
    val_plot_->setObjectName(QStringLiteral("valPlot"));
    auto* plots = new QHBoxLayout;
    plots->addWidget(loss_plot_);
    plots->addWidget(val_plot_);
    log_ = new QPlainTextEdit;
    log_->setObjectName(QStringLiteral("logEdit"));
    log_->setReadOnly(true);
    log_->setMaximumBlockCount(5000);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(message_);
    layout->addLayout(buttons);
    layout->addWidget(bar_);
    layout->addWidget(rate_);
    layout->addLayout(plots, 1);
    layout->addWidget(log_, 1);

    thread_ = new QThread(this);
    thread_->setObjectName(QStringLiteral("trainingThread"));
    worker_ = new TrainingWorker;
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &TrainingWorker::progress, this, &TrainingDialog::onProgress);
    connect(worker_, &TrainingWorker::finished, this, &TrainingDialog::onFinished);
    thread_->start();
    updateButtons();
}

TrainingDialog::~TrainingDialog() {
    worker_->disconnect(this);
    worker_->stop();   // the trainer saves `last` and returns
    thread_->quit();
    thread_->wait();
}

void TrainingDialog::versionChanged() {
    crop_->setMaximum(version_->currentIndex() == 1 ? 512 : 128);
    crop_->setValue(version_->currentIndex() == 1 ? 512 : 128);
}

fm::TrainParams TrainingDialog::params() const {
    fm::TrainParams p;
    p.train_data = data_->text().trimmed().toStdString();
    p.crop_length = crop_->value();
    p.layout = version_->currentIndex() == 1 ? "folded" : "long";
    p.model = model_->currentText().toStdString();
    QStringList types;
    for (QComboBox* g : gen_) types << g->currentText();
    p.generator_types = types.join(QLatin1Char(',')).toStdString();
    p.scan_order = scan_->currentText().toStdString();
    p.train_batch_size = batch_->value();
    p.max_steps = steps_->value();
    p.lr = lr_->value();
    p.warmup_steps = std::min(p.warmup_steps, std::max(1, p.max_steps / 10));
    p.eval_every = eval_every_->value();
    p.val_crops = val_crops_->value();
    p.device = device_->currentText().toStdString();
    p.threads = threads_->value();
    p.output_dir = output_->text().trimmed().toStdString();
    return p;
}

QString TrainingDialog::validate() const {
    const QString data = data_->text().trimmed();
    if (data.isEmpty()) return tr("Choose a dataset folder or list file.");
    const QFileInfo info(data);
    if (!info.exists()) return tr("The dataset %1 does not exist.").arg(data);
    if (info.isDir()) {
        QDirIterator it(data, {QStringLiteral("*.mid"), QStringLiteral("*.midi"), QStringLiteral("*.MID"),
                               QStringLiteral("*.MIDI")},
                        QDir::Files, QDirIterator::Subdirectories);
        if (!it.hasNext()) return tr("The folder %1 holds no MIDI files (.mid, .midi).").arg(data);
    }
    const int width = version_->currentIndex() == 1 ? 512 : 128;
    if (crop_->value() % 16 != 0 || crop_->value() > width)
        return tr("The crop length must be a multiple of 16 and at most %1 (it is %2).").arg(width).arg(crop_->value());
    if (batch_->value() < 1 || steps_->value() < 1) return tr("Batch size and steps must be at least 1.");
    if (!(lr_->value() > 0)) return tr("The learning rate must be positive.");
    const QString out = output_->text().trimmed();
    if (out.isEmpty()) return tr("Choose an output folder.");
    if (QFileInfo(out).exists() && !QFileInfo(out).isDir()) return tr("The output %1 is a file, not a folder.").arg(out);
    return {};
}

bool TrainingDialog::startRun() { return launch(false); }
bool TrainingDialog::resumeRun() { return launch(true); }

bool TrainingDialog::launch(bool resume) {
    if (running_) return false;
    fm::TrainParams p;
    if (resume && have_run_) {
        p = run_params_;   // the stopped run's own settings
    } else {
        const QString why = validate();
        if (!why.isEmpty()) {
            message_->setText(why);
            log(tr("Refused: %1").arg(why));
            return false;
        }
        p = params();
    }
    if (resume && !QFileInfo::exists(QString::fromStdString(p.output_dir) + QStringLiteral("/last.safetensors"))) {
        const QString why = tr("Nothing to resume: %1 has no last.safetensors.").arg(QString::fromStdString(p.output_dir));
        message_->setText(why);
        log(tr("Refused: %1").arg(why));
        return false;
    }
    p.resume = resume;
    if (!QDir().mkpath(QString::fromStdString(p.output_dir))) {
        message_->setText(tr("Cannot create the output folder %1.").arg(QString::fromStdString(p.output_dir)));
        return false;
    }
    run_params_ = p;
    have_run_ = true;
    running_ = true;
    message_->clear();
    if (!resume) {
        loss_plot_->clear();
        val_plot_->clear();
        last_step_ = 0;
    }
    bar_->setRange(0, p.max_steps);
    log(resume ? tr("Resuming %1").arg(QString::fromStdString(p.output_dir))
               : tr("Starting a %1 run in %2").arg(QString::fromStdString(p.model), QString::fromStdString(p.output_dir)));
    updateButtons();
    Q_EMIT runningChanged(true, QString::fromStdString(p.output_dir));
    TrainingWorker* w = worker_;
    QMetaObject::invokeMethod(w, [w, p] { w->start(p); }, Qt::QueuedConnection);
    return true;
}

void TrainingDialog::stopRun() {
    if (!running_) return;
    log(tr("Stopping: saving the last checkpoint…"));
    worker_->stop();
}

void TrainingDialog::onProgress(const fm::TrainStatus& s) {
    if (!s.message.empty()) log(QString::fromStdString(s.message));
    if (s.stopped) return;
    last_step_ = s.step;
    bar_->setRange(0, s.max_steps);
    bar_->setValue(s.step);
    rate_->setText(tr("step %1 / %2 · %3 steps/s · ETA %4")
                       .arg(s.step)
                       .arg(s.max_steps)
                       .arg(s.steps_per_s, 0, 'f', 2)
                       .arg(formatEta(s.eta_s)));
    loss_plot_->addPoint(s.step, s.loss_bits);
    if (s.val_bits >= 0) {
        val_plot_->addPoint(s.step, s.val_bits);
        log(tr("step %1: validation %2 bits/cell").arg(s.step).arg(s.val_bits, 0, 'f', 4));
    }
    Q_EMIT statusChanged(tr("Training: step %1/%2").arg(s.step).arg(s.max_steps));
}

void TrainingDialog::onFinished(bool stopped, const QString& error) {
    running_ = false;
    if (!error.isEmpty()) {
        message_->setText(tr("Training failed: %1").arg(error));
        log(tr("Error: %1").arg(error));
    } else {
        log(stopped ? tr("Stopped at step %1; Resume continues from there.").arg(last_step_)
                    : tr("Finished at step %1.").arg(last_step_));
    }
    updateButtons();
    Q_EMIT runningChanged(false, QString::fromStdString(run_params_.output_dir));
}

void TrainingDialog::updateButtons() {
    start_->setEnabled(!running_);
    stop_->setEnabled(running_);
    resume_->setEnabled(!running_);
}

void TrainingDialog::log(const QString& line) { log_->appendPlainText(line); }

}  // namespace fm::ui
