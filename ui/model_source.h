// model_source.h — where the studio's model comes from: the bundled default, a checkpoint file, or random weights.
//
//   QString path = fm::ui::defaultModelPath(128);   // the 8-bar model; "" when no default model is installed
//
// The default models are fm::default_model_path's (core/resources.h): models/default-128.safetensors and
// models/default-512.safetensors under <install prefix>/share/fractalmidi or the source tree's resources/.
// Thread-safety: free functions.
#pragma once

#include <QString>
#include <QStringList>

namespace fm::ui {

struct ModelSource {
    enum class Kind { none, checkpoint, random };
    Kind kind = Kind::none;
    QString path;                           // checkpoint: the file
    QString preset = QStringLiteral("tiny");  // random: the preset
};

QString defaultModelPath(int width = 128);   // by width: 128 -> the 8-bar model, wider -> the 32-bar model

}  // namespace fm::ui
