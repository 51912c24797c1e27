#include "ui/roll_drag_button.h"

#include <QApplication>
#include <QDrag>
#include <QMimeData>
#include <QMouseEvent>
#include <QStyle>
#include <QUrl>

#include <exception>

namespace fm::ui {

RollDragButton::RollDragButton(QWidget* parent) : QToolButton(parent) {
    setObjectName(QStringLiteral("dragMidiButton"));
    setText(tr("Drag .mid"));
    setIcon(style()->standardIcon(QStyle::SP_FileIcon));
    setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    setToolTip(tr("Drag the shown roll out as a .mid file (to a file manager or a DAW)"));
}

QString RollDragButton::writeDragFile(QString* error) {
    if (!provider_ || !dir_.isValid()) {
        if (error) *error = tr("no roll to drag");
        return {};
    }
    QString name;
    auto [roll, tempo] = provider_(&name);
    if (name.isEmpty()) name = QStringLiteral("fractalmidi");
    const QString path = dir_.filePath(name + QStringLiteral(".mid"));
    try {
        save_midi(path.toStdString(), roll, tempo);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return {};
    }
    return path;
}

void RollDragButton::mousePressEvent(QMouseEvent* e) {
    if (e->button() == Qt::LeftButton) {
        press_pos_ = e->position().toPoint();
        pressed_ = true;
    }
    QToolButton::mousePressEvent(e);
}

void RollDragButton::mouseMoveEvent(QMouseEvent* e) {
    if (!pressed_ || !(e->buttons() & Qt::LeftButton) ||
        (e->position().toPoint() - press_pos_).manhattanLength() < QApplication::startDragDistance()) {
        QToolButton::mouseMoveEvent(e);
        return;
    }
    pressed_ = false;
    setDown(false);
    QString error;
    const QString path = writeDragFile(&error);
    if (path.isEmpty()) {
        Q_EMIT message(tr("Drag: %1").arg(error));
        return;
    }
    auto* mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(path)});
    auto* drag = new QDrag(this);
    drag->setMimeData(mime);
    drag->setPixmap(icon().pixmap(32, 32));
    drag->exec(Qt::CopyAction);
}

}  // namespace fm::ui
