#include "ui/training_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <exception>

#include "core/dataset.h"
#include "core/file_io.h"
#include "model/engine.h"
#include "model/run_folder.h"
#include "ui/training_monitor.h"
#include "ui/training_worker.h"

namespace fm::ui {

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

QPushButton* button(const QString& text, const QString& name, const QString& tip = {}) {
    auto* b = new QPushButton(text);
    b->setObjectName(name);
    b->setToolTip(tip);
    return b;
}

// A line edit with a "…" button that picks a folder into it, and an optional extra button after it.
QHBoxLayout* folderRow(QWidget* dialog, QLineEdit* edit, const QString& title, QWidget* extra = nullptr) {
    auto* browse = new QToolButton;
    browse->setText(QStringLiteral("…"));
    QObject::connect(browse, &QToolButton::clicked, dialog, [dialog, edit, title] {
        const QString dir = QFileDialog::getExistingDirectory(dialog, title, edit->text());
        if (!dir.isEmpty()) edit->setText(dir);
    });
    auto* row = new QHBoxLayout;
    row->addWidget(edit, 1);
    row->addWidget(browse);
    if (extra) row->addWidget(extra);
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
    scan_ = button(tr("Sc&an"), QStringLiteral("scanButton"), tr("read every file now: how many are usable, which failed and why"));
    connect(scan_, &QPushButton::clicked, this, [this] { scanDataset(); });
    form->addRow(tr("Dataset:"), folderRow(this, data_, tr("Dataset folder"), scan_));

    version_ = combo(QStringLiteral("versionCombo"), {tr("128×128 (8 bars)"), tr("256×256 (32 bars, 512 wide)")}, {});
    version_->setCurrentIndex(d.crop_length > 128 ? 1 : 0);
    form->addRow(tr("Version:"), version_);
    crop_ = spin(QStringLiteral("cropSpin"), 16, 512, d.crop_length);
    crop_->setSingleStep(16);
    crop_->setToolTip(tr("steps per training crop: a multiple of 16, at most the version's width"));
    form->addRow(tr("Crop length:"), crop_);
    connect(version_, &QComboBox::currentIndexChanged, this, &TrainingDialog::versionChanged);

    model_ = combo(QStringLiteral("modelCombo"), {QStringLiteral("tiny"), QStringLiteral("small"), QStringLiteral("base")},
                   QString::fromStdString(d.model));
    model_->setToolTip(tr("tiny: a quick try (minutes); small: 10 M parameters; base: the paper's size (GPU)"));
    form->addRow(tr("Model size:"), model_);
    const QStringList types = QString::fromStdString(d.generator_types).split(QLatin1Char(','));
    auto* gen_row = new QHBoxLayout;
    const char* names[4] = {"level 0 (16×16 patches)", "level 1 (4×4)", "level 2 (cells)", "the velocity head"};
    for (int i = 0; i < 4; ++i) {
        gen_[i] = combo(QStringLiteral("genCombo%1").arg(i), {QStringLiteral("mar"), QStringLiteral("ar")},
                        i < types.size() ? types[i].trimmed() : QStringLiteral("mar"));
        gen_[i]->setToolTip(tr("generator of %1").arg(QLatin1String(names[i])));
        gen_row->addWidget(gen_[i]);
    }
    form->addRow(tr("Generators (levels 0, 1, 2, velocity):"), gen_row);
    scan_order_ = combo(QStringLiteral("scanCombo"), {QStringLiteral("row_major"), QStringLiteral("column_major")},
                        QString::fromStdString(d.scan_order));
    scan_order_->setToolTip(tr("AR levels: row_major goes pitch by pitch, column_major step by step"));
    form->addRow(tr("Scan order (AR levels):"), scan_order_);
    cells_ = combo(QStringLiteral("cellsCombo"), {QStringLiteral("notes"), QStringLiteral("velocity")}, QString::fromStdString(d.cells));
    cells_->setToolTip(tr("notes: each cell is silence, a hold of the note to its left or an onset at a velocity, so long "
                          "notes stay whole; velocity: each cell draws its velocity (the models made before notes)"));
    form->addRow(tr("Cells:"), cells_);
    plan_ = new QCheckBox(tr("Plan each bar first (pitch classes, rhythm and density)"));
    plan_->setObjectName(QStringLiteral("planCheck"));
    plan_->setChecked(d.plan);
    plan_->setToolTip(tr("the model draws each bar's set of pitch classes, the steps where its notes start and its number of notes before any "
                         "note, in time order, and every level below keeps to them: chords, a key and a rhythm that hold across bars"));
    form->addRow(tr("Bar plan:"), plan_);
    batch_ = spin(QStringLiteral("batchSpin"), 1, 4096, d.train_batch_size);
    form->addRow(tr("Batch size:"), batch_);
    steps_ = spin(QStringLiteral("stepsSpin"), 1, 100000000, d.max_steps);
    steps_->setToolTip(tr("steps in all; raise it and press Resume to extend a finished run"));
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
    sample_every_ = spin(QStringLiteral("sampleEverySpin"), 0, 1000000, 100);
    sample_every_->setSpecialValueText(tr("never"));
    sample_every_->setToolTip(tr("steps between preview samples (each is also saved in the run's samples folder)"));
    form->addRow(tr("Preview sample every (steps):"), sample_every_);
    QStringList devices = {QStringLiteral("cpu")};
    if (fm::cuda_available()) devices.prepend(QStringLiteral("cuda"));
    device_ = combo(QStringLiteral("deviceCombo"), devices, devices.front());
    device_->setToolTip(devices.size() > 1 ? tr("a CUDA GPU was found") : tr("no CUDA GPU was found: the CPU trains"));
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

    start_ = button(tr("&Start"), QStringLiteral("startButton"));
    pause_ = button(tr("&Pause"), QStringLiteral("pauseButton"), tr("hold the run after its current step"));
    pause_->setCheckable(true);
    stop_ = button(tr("S&top"), QStringLiteral("stopButton"), tr("save the last checkpoint and stop"));
    resume_ = button(tr("&Resume"), QStringLiteral("resumeButton"), tr("continue the run in the output folder from its last checkpoint"));
    open_ = button(tr("&Open Run…"), QStringLiteral("openRunButton"), tr("reopen a stopped or crashed run from its folder"));
    connect(start_, &QPushButton::clicked, this, [this] { startRun(); });
    connect(pause_, &QPushButton::toggled, this, &TrainingDialog::setPaused);
    connect(stop_, &QPushButton::clicked, this, &TrainingDialog::stopRun);
    connect(resume_, &QPushButton::clicked, this, [this] { resumeRun(); });
    connect(open_, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a training run"), output_->text());
        if (!dir.isEmpty()) openRun(dir);
    });
    auto* buttons = new QHBoxLayout;
    for (QPushButton* b : {start_, pause_, stop_, resume_, open_}) buttons->addWidget(b);

    auto* left = new QVBoxLayout;
    left->addLayout(form);
    left->addWidget(message_);
    left->addLayout(buttons);
    left->addStretch(1);

    monitor_ = new TrainingMonitor;
    monitor_->setObjectName(QStringLiteral("trainingMonitor"));
    connect(monitor_, &TrainingMonitor::playRequested, this, &TrainingDialog::playRequested);
    connect(monitor_, &TrainingMonitor::useCheckpoint, this, &TrainingDialog::useCheckpoint);

    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 0);
    layout->addWidget(monitor_, 1);
    resize(1280, 820);

    worker_ = new TrainingWorker(this);
    connect(worker_, &TrainingWorker::progress, this, &TrainingDialog::onProgress);
    connect(worker_, &TrainingWorker::finished, this, &TrainingDialog::onFinished);
    scan_jobs_ = new JobThread(this);
    updateButtons();
}

TrainingDialog::~TrainingDialog() {
    scan_cancel_.store(true);
    delete scan_jobs_;   // waits for a scan, cancelled
    worker_->disconnect(this);
    delete worker_;   // the trainer saves `last` and returns (a paused one wakes up for it); waits for it
}

void TrainingDialog::versionChanged() {
    crop_->setMaximum(version_->currentIndex() == 1 ? 512 : 128);
    crop_->setValue(version_->currentIndex() == 1 ? 512 : 128);
}

fm::TrainParams TrainingDialog::params() const {
    fm::TrainParams p = form_base_;
    p.train_data = data_->text().trimmed().toStdString();
    p.crop_length = crop_->value();
    p.layout = version_->currentIndex() == 1 ? "folded" : "long";
    p.model = model_->currentText().toStdString();
    QStringList types;
    for (QComboBox* g : gen_) types << g->currentText();
    p.generator_types = types.join(QLatin1Char(',')).toStdString();
    p.scan_order = scan_order_->currentText().toStdString();
    p.cells = cells_->currentText().toStdString();
    p.plan = plan_->isChecked();
    p.train_batch_size = batch_->value();
    p.max_steps = steps_->value();
    p.lr = lr_->value();
    p.warmup_steps = std::min(p.warmup_steps, std::max(1, p.max_steps / 10));
    p.eval_every = eval_every_->value();
    p.val_crops = val_crops_->value();
    p.sample_every = sample_every_->value();
    p.device = device_->currentText().toStdString();
    p.threads = threads_->value();
    p.output_dir = output_->text().trimmed().toStdString();
    p.resume = false;
    return p;
}

void TrainingDialog::setParams(const fm::TrainParams& p) {
    form_base_ = p;
    data_->setText(QString::fromStdString(p.train_data));
    version_->setCurrentIndex(p.crop_length > 128 ? 1 : 0);   // sets the crop length to the version's width first
    crop_->setValue(p.crop_length);
    model_->setCurrentText(QString::fromStdString(p.model));
    const QStringList types = QString::fromStdString(p.generator_types).split(QLatin1Char(','));
    for (int i = 0; i < 4 && i < types.size(); ++i) gen_[i]->setCurrentText(types[i].trimmed());
    scan_order_->setCurrentText(QString::fromStdString(p.scan_order));
    cells_->setCurrentText(QString::fromStdString(p.cells));
    plan_->setChecked(p.plan);
    batch_->setValue(p.train_batch_size);
    steps_->setValue(p.max_steps);
    lr_->setValue(p.lr);
    eval_every_->setValue(p.eval_every);
    val_crops_->setValue(p.val_crops);
    sample_every_->setValue(p.sample_every);
    if (device_->findText(QString::fromStdString(p.device)) >= 0) device_->setCurrentText(QString::fromStdString(p.device));
    threads_->setValue(p.threads);
    output_->setText(QString::fromStdString(p.output_dir));
}

QString TrainingDialog::validate() const {
    const QString data = data_->text().trimmed();
    if (data.isEmpty()) return tr("Choose a dataset folder or list file.");
    const QFileInfo info(data);
    if (!info.exists()) return tr("The dataset %1 does not exist.").arg(data);
    try {   // the trainer's own rule for sources: a folder (any-case .mid/.midi, recursively), a list or one file
        fm::list_midi_sources(data.toStdString());
    } catch (const std::exception& e) {
        if (info.isDir()) return tr("The folder %1 holds no MIDI files (.mid, .midi).").arg(data);
        return tr("The dataset cannot be used: %1").arg(QString::fromUtf8(e.what()));
    }
    const int width = version_->currentIndex() == 1 ? 512 : 128;
    if (crop_->value() % 16 != 0 || crop_->value() > width)
        return tr("The crop length must be a multiple of 16 and at most %1 (it is %2).").arg(width).arg(crop_->value());
    const QString out = output_->text().trimmed();
    if (out.isEmpty()) return tr("Choose an output folder.");
    if (QFileInfo(out).exists() && !QFileInfo(out).isDir()) return tr("The output %1 is a file, not a folder.").arg(out);
    return checked(params());
}

QString TrainingDialog::checked(const fm::TrainParams& p) {
    try {   // the trainer's own ranges (the CLI's too)
        fm::validate(p);
    } catch (const std::exception& e) {
        return tr("The settings cannot be used: %1").arg(QString::fromUtf8(e.what()));
    }
    return {};
}

int TrainingDialog::lastStep() const { return monitor_->step(); }
bool TrainingDialog::trainerHolding() const { return worker_->holding(); }

void TrainingDialog::refuse(const QString& why) {
    message_->setText(why);
    monitor_->log(tr("Refused: %1").arg(why));
}

bool TrainingDialog::scanDataset() {
    if (scanning_) return false;
    const QString data = data_->text().trimmed();
    if (data.isEmpty() || !QFileInfo::exists(data)) {
        refuse(data.isEmpty() ? tr("Choose a dataset folder or list file.") : tr("The dataset %1 does not exist.").arg(data));
        return false;
    }
    scan_cancel_.store(false);
    scanning_ = true;
    scan_jobs_->post([this, data] {
        fm::CacheSummary summary;
        QString error;
        try {
            const fm::ScratchPath cache("fractalmidi-scan", ".fmcache");   // a private cache, removed afterwards
            summary = fm::build_cache(data.toStdString(), cache.path(), {}, {}, &scan_cancel_);
        } catch (const std::exception& e) {
            error = QString::fromUtf8(e.what());
        }
        scan_jobs_->deliver([this, summary, error] { onScanned(summary, error); });
    });
    scan_->setEnabled(false);
    monitor_->log(tr("Scanning %1…").arg(data));
    return true;
}

void TrainingDialog::onScanned(const fm::CacheSummary& summary, const QString& error) {
    scanning_ = false;
    if (!error.isEmpty()) {
        refuse(tr("The dataset cannot be read: %1").arg(error));
    } else if (!summary.cancelled) {
        monitor_->showScan(summary);
        monitor_->log(monitor_->scanSummary());
        for (const fm::CacheFailure& f : summary.failures)
            monitor_->log(tr("skipped %1: %2").arg(QString::fromStdString(f.path), QString::fromStdString(f.reason)));
        message_->setText(summary.usable ? QString() : tr("No usable MIDI file in %1.").arg(data_->text().trimmed()));
    }
    scan_->setEnabled(true);
    Q_EMIT scanFinished();
}

bool TrainingDialog::startRun() { return launch(false); }
bool TrainingDialog::resumeRun() { return launch(true); }

bool TrainingDialog::launch(bool resume) {
    if (running_) return false;
    fm::TrainParams p;
    if (resume && have_run_) {
        p = run_params_;   // the stopped run's own settings; Steps, device and threads may change
        p.max_steps = steps_->value();
        p.device = device_->currentText().toStdString();
        p.threads = threads_->value();
        const QString why = checked(p);
        if (!why.isEmpty()) {
            refuse(why);
            return false;
        }
    } else {
        const QString why = validate();
        if (!why.isEmpty()) {
            refuse(why);
            return false;
        }
        p = params();
    }
    if (resume && !QFileInfo::exists(QString::fromStdString(p.output_dir) + QStringLiteral("/last.safetensors"))) {
        refuse(tr("Nothing to resume: %1 has no last.safetensors.").arg(QString::fromStdString(p.output_dir)));
        return false;
    }
    p.resume = resume;
    if (!QDir().mkpath(QString::fromStdString(p.output_dir))) {
        refuse(tr("Cannot create the output folder %1.").arg(QString::fromStdString(p.output_dir)));
        return false;
    }
    run_params_ = p;
    have_run_ = true;
    running_ = true;
    message_->clear();
    if (!resume) monitor_->reset(QString::fromStdString(p.output_dir));
    monitor_->log(resume ? tr("Resuming %1").arg(QString::fromStdString(p.output_dir))
                         : tr("Starting a %1 run in %2").arg(QString::fromStdString(p.model), QString::fromStdString(p.output_dir)));
    setPaused(false);
    updateButtons();
    Q_EMIT runningChanged(true, QString::fromStdString(p.output_dir));
    worker_->start(p);
    return true;
}

bool TrainingDialog::openRun(const QString& dir) {
    if (running_) {
        refuse(tr("A run is going: stop it before opening another."));
        return false;
    }
    try {
        const fm::TrainParams p = fm::read_run_params(dir.toStdString());
        setParams(p);
        run_params_ = p;
        have_run_ = true;
        monitor_->loadHistory(dir);
    } catch (const std::exception& e) {
        refuse(tr("Cannot open the run: %1").arg(QString::fromUtf8(e.what())));
        return false;
    }
    const bool resumable = QFileInfo::exists(dir + QStringLiteral("/last.safetensors"));
    message_->setText(resumable ? tr("Opened the run at step %1 of %2: Resume continues it (raise Steps to go further).")
                                      .arg(monitor_->step()).arg(steps_->value())
                                : tr("Opened the run; it has no last checkpoint to resume from."));
    monitor_->log(tr("Opened %1").arg(dir));
    updateButtons();
    return true;
}

void TrainingDialog::stopRun() {
    if (!running_) return;
    monitor_->log(tr("Stopping: saving the last checkpoint…"));
    worker_->stop();
}

void TrainingDialog::setPaused(bool paused) {
    paused = paused && running_;
    if (paused == paused_) return;
    paused_ = paused;
    worker_->setPaused(paused);
    if (pause_->isChecked() != paused) pause_->setChecked(paused);
    pause_->setText(paused ? tr("Con&tinue") : tr("&Pause"));
    monitor_->log(paused ? tr("Paused after step %1").arg(monitor_->step()) : tr("Continuing"));
    if (paused) Q_EMIT statusChanged(tr("Training paused at step %1/%2").arg(monitor_->step()).arg(run_params_.max_steps));
}

void TrainingDialog::onProgress(const fm::TrainStatus& s) {
    monitor_->showStatus(s);
    if (s.stopped || s.scanned) return;
    Q_EMIT statusChanged(tr("Training: step %1/%2").arg(s.step).arg(s.max_steps));
}

void TrainingDialog::onFinished(bool stopped, const QString& error) {
    running_ = false;
    setPaused(false);
    if (!error.isEmpty()) {
        message_->setText(tr("Training failed: %1").arg(error));
        monitor_->log(tr("Error: %1").arg(error));
    } else {
        monitor_->log(stopped ? tr("Stopped at step %1; Resume continues from there.").arg(monitor_->step())
                              : tr("Finished at step %1.").arg(monitor_->step()));
    }
    monitor_->refreshCheckpoints();
    updateButtons();
    Q_EMIT runningChanged(false, QString::fromStdString(run_params_.output_dir));
}

void TrainingDialog::updateButtons() {
    start_->setEnabled(!running_);
    pause_->setEnabled(running_);
    stop_->setEnabled(running_);
    resume_->setEnabled(!running_);
    open_->setEnabled(!running_);
}

}  // namespace fm::ui
