// generate_panel.h — the Generate side panel: model source and info, version (width), mode, sampling settings.
//
//   auto* panel = new fm::ui::GeneratePanel(parent);
//   connect(panel, &GeneratePanel::modelRequested, ...);     // load the checkpoint / create random weights
//   connect(panel, &GeneratePanel::generateRequested, ...);
//   fm::GenerateParams p = panel->takeParams();              // draws the seed when "random" is on and shows it
//
// Every default comes from fm::GenerateParams (one source of truth). The panel fills width, mode, samples,
// temperature, iterations, gate and seed; the window adds the input roll and the inpainting region.
// Thread-safety: GUI thread only.
#pragma once

#include <QWidget>

#include <array>

#include "model/generate_params.h"
#include "ui/model_source.h"
#include "ui/studio_metatypes.h"

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace fm::ui {

class GeneratePanel : public QWidget {
    Q_OBJECT
public:
    explicit GeneratePanel(QWidget* parent = nullptr);

    // Model source list: shows `source` as the current entry (adding a checkpoint entry when needed); no signal.
    void selectSource(const ModelSource& source);
    ModelSource currentSource() const;
    void setModelLoading(const QString& what);
    void setModelInfo(const ModelInfo& info);
    void setModelError(const QString& error);
    bool modelReady() const { return model_ready_; }

    GenerateMode mode() const;
    int width() const;                 // steps (a multiple of 4)
    int prefixSteps() const;           // continuation: steps of the current roll kept (0 shown as "half")
    GenerateParams takeParams();       // not const: a random seed is drawn and written back to the seed box
    void setGenerating(bool generating);

    QComboBox* modelCombo() const { return model_; }   // for tests
    // The Generate and Cancel buttons, in a bar of their own: the window keeps it in sight above the scrolled panel
    // (placing it reparents it); left alone it sits at the panel's top.
    QWidget* buttonBar() const { return button_bar_; }
    // The matmuls' number format for the next model load: "auto", "bf16" or "fp32" (remembered in QSettings);
    // changing it reloads the current model.
    QString precision() const;
    QSpinBox* seedBox() const { return seed_; }
    QCheckBox* randomSeedBox() const { return random_seed_; }

Q_SIGNALS:
    void modelRequested(const fm::ui::ModelSource& source);
    void generateRequested();
    void cancelRequested();

private:
    void onModelActivated(int index);
    void chooseCheckpoint();
    void updateWidthControls();
    void updateGenerateEnabled();
    int indexOf(const ModelSource& source) const;

    QComboBox* model_ = nullptr;
    QLabel* model_info_ = nullptr;
    QComboBox* precision_ = nullptr;
    QComboBox* version_ = nullptr;
    QSpinBox* custom_width_ = nullptr;
    QComboBox* mode_ = nullptr;
    QDoubleSpinBox* temperature_ = nullptr;
    QDoubleSpinBox* velocity_temperature_ = nullptr;
    QDoubleSpinBox* plan_temperature_ = nullptr;
    std::array<QSpinBox*, 3> iterations_{};
    QCheckBox* gate_ = nullptr;
    QSpinBox* samples_ = nullptr;
    QSpinBox* seed_ = nullptr;
    QCheckBox* random_seed_ = nullptr;
    QSpinBox* prefix_ = nullptr;
    QWidget* button_bar_ = nullptr;
    QPushButton* generate_ = nullptr;
    QPushButton* cancel_ = nullptr;
    int last_model_index_ = -1;
    bool model_ready_ = false;
    bool generating_ = false;
};

}  // namespace fm::ui
