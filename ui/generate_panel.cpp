#include "ui/generate_panel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

#include "core/resources.h"
#include "model/precision.h"

namespace fm::ui {

namespace {

const QString kPrecisionKey = QStringLiteral("model/precision");   // "auto" | "bf16" | "fp32"
constexpr int kKindRole = Qt::UserRole;
constexpr int kPathRole = Qt::UserRole + 1;
constexpr int kChooseKind = -1;   // the "Choose checkpoint…" entry
constexpr int kMaxWidth = 1 << 14;

enum VersionIndex { kEightBars, kThirtyTwoBars, kCustom };

int kindValue(ModelSource::Kind k) { return int(k); }

}  // namespace

GeneratePanel::GeneratePanel(QWidget* parent) : QWidget(parent) {
    const GenerateParams defaults;
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(4, 4, 4, 4);

    // Model.
    auto* model_box = new QGroupBox(tr("Model"), this);
    auto* model_layout = new QVBoxLayout(model_box);
    model_ = new QComboBox(model_box);
    model_->setObjectName(QStringLiteral("modelCombo"));
    const QString bundled = defaultModelPath(128), bundled32 = defaultModelPath(512);
    if (!bundled.isEmpty()) {
        model_->addItem(bundled32 != bundled ? tr("Default model (8 bars)") : tr("Default model"), kindValue(ModelSource::Kind::checkpoint));
        model_->setItemData(0, bundled, kPathRole);
        model_->setItemData(0, bundled, Qt::ToolTipRole);
    }
    if (!bundled32.isEmpty() && bundled32 != bundled) {
        const int i = model_->count();
        model_->addItem(tr("Default model (32 bars)"), kindValue(ModelSource::Kind::checkpoint));
        model_->setItemData(i, bundled32, kPathRole);
        model_->setItemData(i, bundled32, Qt::ToolTipRole);
    }
    if (const QString tracks = QString::fromStdString(default_tracks_model_path()); !tracks.isEmpty()) {
        const int i = model_->count();
        model_->addItem(tr("Default model (melody, bridge, piano)"), kindValue(ModelSource::Kind::checkpoint));
        model_->setItemData(i, tracks, kPathRole);
        model_->setItemData(i, tracks, Qt::ToolTipRole);
    }
    model_->addItem(tr("Random weights (tiny)"), kindValue(ModelSource::Kind::random));
    model_->addItem(tr("Choose checkpoint…"), kChooseKind);
    model_->setCurrentIndex(bundled.isEmpty() ? model_->count() - 1 : 0);
    last_model_index_ = model_->currentIndex();
    model_info_ = new QLabel(tr("No model loaded."), model_box);
    model_info_->setWordWrap(true);
    model_info_->setObjectName(QStringLiteral("modelInfo"));
    precision_ = new QComboBox(model_box);
    precision_->setObjectName(QStringLiteral("precisionCombo"));
    precision_->addItem(tr("Precision: auto"), QStringLiteral("auto"));
    precision_->addItem(tr("Precision: bf16 (fast where the CPU has it)"), QStringLiteral("bf16"));
    precision_->addItem(tr("Precision: fp32"), QStringLiteral("fp32"));
    precision_->setToolTip(QString::fromLatin1(kPrecisionHelp));
    precision_->setCurrentIndex(std::max(0, precision_->findData(QSettings().value(kPrecisionKey, QStringLiteral("auto")))));
    connect(precision_, qOverload<int>(&QComboBox::activated), this, [this] {
        QSettings().setValue(kPrecisionKey, precision());
        if (currentSource().kind != ModelSource::Kind::none) Q_EMIT modelRequested(currentSource());
    });
    model_layout->addWidget(model_);
    model_layout->addWidget(precision_);
    model_layout->addWidget(model_info_);
    outer->addWidget(model_box);
    connect(model_, qOverload<int>(&QComboBox::activated), this, &GeneratePanel::onModelActivated);

    // What to generate.
    auto* what = new QGroupBox(tr("Generate"), this);
    auto* form = new QFormLayout(what);
    version_ = new QComboBox(what);
    version_->setObjectName(QStringLiteral("versionCombo"));
    version_->addItem(tr("128×128 (8 bars)"));
    version_->addItem(tr("256×256 (32 bars, 512 wide)"));
    version_->addItem(tr("Custom width"));
    custom_width_ = new QSpinBox(what);
    custom_width_->setRange(4, kMaxWidth);
    custom_width_->setSingleStep(4);
    custom_width_->setSuffix(tr(" steps"));
    custom_width_->setValue(defaults.width);
    custom_width_->setToolTip(tr("Any multiple of 4 (a step is a 1/16 note; 16 steps are a bar of 4/4)"));
    version_->setCurrentIndex(defaults.width == 128 ? kEightBars : defaults.width == 512 ? kThirtyTwoBars : kCustom);
    form->addRow(tr("Version"), version_);
    form->addRow(tr("Width"), custom_width_);
    connect(version_, qOverload<int>(&QComboBox::currentIndexChanged), this, &GeneratePanel::updateWidthControls);
    connect(custom_width_, &QSpinBox::editingFinished, this, [this] {
        custom_width_->setValue(std::max(4, custom_width_->value() / 4 * 4));
    });

    mode_ = new QComboBox(what);
    mode_->setObjectName(QStringLiteral("modeCombo"));
    mode_->addItem(tr("New"), int(GenerateMode::unconditional));
    mode_->addItem(tr("Continue the current roll"), int(GenerateMode::continuation));
    mode_->addItem(tr("Inpaint the selection / mask"), int(GenerateMode::inpainting));
    mode_->setCurrentIndex(mode_->findData(int(defaults.mode)));
    form->addRow(tr("Mode"), mode_);

    prefix_ = new QSpinBox(what);
    prefix_->setRange(0, kMaxWidth);
    prefix_->setSingleStep(16);
    prefix_->setSuffix(tr(" steps"));
    prefix_->setSpecialValueText(tr("half the width"));
    prefix_->setValue(defaults.condition_length);
    prefix_->setToolTip(tr("Continuation: the steps of the current roll kept as the beginning; the rest is generated"));
    form->addRow(tr("Keep first"), prefix_);
    connect(mode_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] {
        prefix_->setEnabled(mode() == GenerateMode::continuation);
        updateWidthControls();
    });

    samples_ = new QSpinBox(what);
    samples_->setObjectName(QStringLiteral("variationsBox"));
    samples_->setRange(1, 8);
    samples_->setValue(std::clamp(defaults.num_samples, 1, 8));
    form->addRow(tr("Variations"), samples_);
    outer->addWidget(what);

    // Sampling.
    auto* sampling = new QGroupBox(tr("Sampling"), this);
    auto* sform = new QFormLayout(sampling);
    // A temperature: 0.05 steps, two decimals; `name` is the object name tests find it by (none: left unnamed).
    auto temperature_box = [&](const QString& name, double max, double value) {
        auto* box = new QDoubleSpinBox(sampling);
        if (!name.isEmpty()) box->setObjectName(name);
        box->setRange(0.05, max);
        box->setSingleStep(0.05);
        box->setDecimals(2);
        box->setValue(value);
        return box;
    };
    temperature_ = temperature_box(QString(), 5.0, defaults.temperature);
    sform->addRow(tr("Temperature"), temperature_);
    velocity_temperature_ = temperature_box(QStringLiteral("velocityTemperatureBox"), 2.0, defaults.velocity_temperature);
    velocity_temperature_->setToolTip(tr("Divides the cell head's logits: lower gives longer notes and fewer distinct velocities"));
    sform->addRow(tr("Velocity temperature"), velocity_temperature_);
    plan_temperature_ = temperature_box(QStringLiteral("planTemperatureBox"), 2.0, defaults.plan_temperature);
    plan_temperature_->setToolTip(tr("Divides the bar plan's logits (models with a plan): lower keeps to the likeliest chords "
                                     "and key, higher wanders"));
    sform->addRow(tr("Harmony temperature"), plan_temperature_);
    auto* iters = new QWidget(sampling);
    auto* iters_layout = new QHBoxLayout(iters);
    iters_layout->setContentsMargins(0, 0, 0, 0);
    const char* level_tips[3] = {"Level 1: 16×16 patches", "Level 2: 4×4 patches", "Level 3: cells"};
    for (size_t i = 0; i < iterations_.size(); ++i) {
        iterations_[i] = new QSpinBox(iters);
        iterations_[i]->setObjectName(QStringLiteral("iterations%1").arg(i));
        iterations_[i]->setRange(1, 256);
        iterations_[i]->setValue(defaults.num_iter[i]);
        iterations_[i]->setToolTip(tr("%1: masked-generation iterations").arg(tr(level_tips[i])));
        iters_layout->addWidget(iterations_[i]);
    }
    sform->addRow(tr("Iterations"), iters);
    gate_ = new QCheckBox(tr("Skip empty patches (gating)"), sampling);
    gate_->setChecked(defaults.gate);
    sform->addRow(gate_);
    auto* seed_row = new QWidget(sampling);
    auto* seed_layout = new QHBoxLayout(seed_row);
    seed_layout->setContentsMargins(0, 0, 0, 0);
    seed_ = new QSpinBox(seed_row);
    seed_->setObjectName(QStringLiteral("seedBox"));
    seed_->setRange(0, INT_MAX);
    seed_->setValue(int(std::min<uint64_t>(defaults.seed, uint64_t(INT_MAX))));
    random_seed_ = new QCheckBox(tr("random"), seed_row);
    random_seed_->setToolTip(tr("Draw a new seed for every generation (the seed used is shown)"));
    random_seed_->setChecked(true);
    seed_layout->addWidget(seed_, 1);
    seed_layout->addWidget(random_seed_);
    sform->addRow(tr("Seed"), seed_row);
    outer->addWidget(sampling);

    button_bar_ = new QWidget(this);
    button_bar_->setObjectName(QStringLiteral("generateButtonBar"));
    auto* buttons = new QHBoxLayout(button_bar_);
    buttons->setContentsMargins(0, 0, 0, 0);
    generate_ = new QPushButton(tr("Generate"), button_bar_);
    generate_->setObjectName(QStringLiteral("generateButton"));
    generate_->setDefault(true);
    cancel_ = new QPushButton(tr("Cancel"), button_bar_);
    cancel_->setObjectName(QStringLiteral("cancelButton"));
    buttons->addWidget(generate_);
    buttons->addWidget(cancel_);
    outer->insertWidget(0, button_bar_);
    outer->addStretch(1);
    connect(generate_, &QPushButton::clicked, this, &GeneratePanel::generateRequested);
    connect(cancel_, &QPushButton::clicked, this, &GeneratePanel::cancelRequested);

    prefix_->setEnabled(mode() == GenerateMode::continuation);
    updateWidthControls();
    setGenerating(false);
}

int GeneratePanel::indexOf(const ModelSource& source) const {
    for (int i = 0; i < model_->count(); ++i) {
        const int kind = model_->itemData(i, kKindRole).toInt();
        if (kind != kindValue(source.kind)) continue;
        if (source.kind == ModelSource::Kind::random) return i;
        if (model_->itemData(i, kPathRole).toString() == source.path) return i;
    }
    return -1;
}

void GeneratePanel::selectSource(const ModelSource& source) {
    if (source.kind == ModelSource::Kind::none) {
        model_->setCurrentIndex(model_->findData(kChooseKind, kKindRole));
        last_model_index_ = model_->currentIndex();
        return;
    }
    int i = indexOf(source);
    if (i < 0) {   // a checkpoint not listed yet: before "Random weights"
        const int at = model_->findData(kindValue(ModelSource::Kind::random), kKindRole);
        model_->insertItem(at, QFileInfo(source.path).fileName(), kindValue(ModelSource::Kind::checkpoint));
        model_->setItemData(at, source.path, kPathRole);
        model_->setItemData(at, source.path, Qt::ToolTipRole);
        i = at;
    }
    model_->setCurrentIndex(i);
    last_model_index_ = i;
}

QString GeneratePanel::precision() const { return precision_->currentData().toString(); }

ModelSource GeneratePanel::currentSource() const {
    ModelSource s;
    const int i = model_->currentIndex();
    const int kind = model_->itemData(i, kKindRole).toInt();
    if (kind == kindValue(ModelSource::Kind::checkpoint)) s.kind = ModelSource::Kind::checkpoint;
    if (kind == kindValue(ModelSource::Kind::random)) s.kind = ModelSource::Kind::random;
    s.path = model_->itemData(i, kPathRole).toString();
    return s;
}

void GeneratePanel::onModelActivated(int index) {
    if (model_->itemData(index, kKindRole).toInt() == kChooseKind) {
        chooseCheckpoint();
        return;
    }
    last_model_index_ = index;
    Q_EMIT modelRequested(currentSource());
}

void GeneratePanel::chooseCheckpoint() {
    QSettings settings;
    const QString dir = settings.value(QStringLiteral("folders/checkpoint")).toString();
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a checkpoint"), dir,
                                                      tr("Checkpoints (*.safetensors);;All files (*)"));
    if (path.isEmpty()) {   // back to what was there
        model_->setCurrentIndex(last_model_index_);
        return;
    }
    settings.setValue(QStringLiteral("folders/checkpoint"), QFileInfo(path).absolutePath());
    ModelSource s;
    s.kind = ModelSource::Kind::checkpoint;
    s.path = path;
    selectSource(s);
    Q_EMIT modelRequested(s);
}

void GeneratePanel::setModelLoading(const QString& what) {
    model_ready_ = false;
    model_info_->setText(tr("Loading %1…").arg(what));
    updateGenerateEnabled();
}

void GeneratePanel::setModelInfo(const ModelInfo& info) {
    model_ready_ = true;
    const QString params = info.parameters >= 1000000 ? tr("%1 M").arg(double(info.parameters) / 1e6, 0, 'f', 2)
                                                     : QLocale().toString(info.parameters);
    model_info_->setText(tr("Preset: %1\nGenerators: %2\nParameters: %3\nDevice: %4 (%5 matmuls) · trained on %6 steps")
                             .arg(info.preset, info.generatorTypes, params, info.device, info.precision)
                             .arg(info.cropLength));
    model_info_->setToolTip(info.source);
    updateGenerateEnabled();
}

void GeneratePanel::setModelError(const QString& error) {
    model_ready_ = false;
    model_info_->setText(tr("No model: %1").arg(error));
    updateGenerateEnabled();
}

GenerateMode GeneratePanel::mode() const { return GenerateMode(mode_->currentData().toInt()); }

int GeneratePanel::width() const {
    switch (version_->currentIndex()) {
    case kEightBars: return 128;
    case kThirtyTwoBars: return 512;
    default: return std::max(4, custom_width_->value() / 4 * 4);
    }
}

int GeneratePanel::prefixSteps() const { return prefix_->value() > 0 ? prefix_->value() : width() / 2 / 4 * 4; }

GenerateParams GeneratePanel::takeParams() {
    GenerateParams p;
    p.width = width();
    p.mode = mode();
    p.num_samples = samples_->value();
    p.temperature = temperature_->value();
    p.velocity_temperature = velocity_temperature_->value();
    p.plan_temperature = plan_temperature_->value();
    for (size_t i = 0; i < iterations_.size(); ++i) p.num_iter[i] = iterations_[i]->value();
    p.gate = gate_->isChecked();
    if (random_seed_->isChecked()) seed_->setValue(int(QRandomGenerator::global()->bounded(INT_MAX)));
    p.seed = uint64_t(seed_->value());
    p.condition_length = mode() == GenerateMode::continuation ? std::min(prefixSteps(), p.width) : 0;
    return p;
}

void GeneratePanel::updateWidthControls() {
    const bool custom = version_->currentIndex() == kCustom;
    custom_width_->setEnabled(custom && mode() != GenerateMode::inpainting);
    if (!custom) custom_width_->setValue(width());
    version_->setEnabled(mode() != GenerateMode::inpainting);
    version_->setToolTip(mode() == GenerateMode::inpainting ? tr("Inpainting keeps the current roll's width") : QString());
}

void GeneratePanel::setGenerating(bool generating) {
    generating_ = generating;
    cancel_->setEnabled(generating);
    model_->setEnabled(!generating);
    updateGenerateEnabled();
}

void GeneratePanel::updateGenerateEnabled() {
    generate_->setEnabled(model_ready_ && !generating_);
    generate_->setToolTip(model_ready_ ? tr("Generate (Ctrl+G)") : tr("Load a model first (the Model list above)"));
}

}  // namespace fm::ui
