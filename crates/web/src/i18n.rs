//! Every word the page shows, in English and Russian, in one table.
//!
//! Pure Rust, tested natively. Conventions:
//! - The table (`texts!` below) gives each string a key and its English and Russian
//!   text side by side; a key without both is a compile error. [`EN`] and [`RU`] are the
//!   two columns, and `index.html` names keys in `data-i18n="key"` (text) and
//!   `data-i18n-attr="aria-label:key title:key"` (attributes).
//! - `{name}` is filled in by [`fill`]; `{n|form|forms}` picks a plural form by the
//!   number `n`: two forms are English's (one, other), three are Russian's (один, два,
//!   пять). Symbols of the formulas (`H_out`, `k`, `s`, `p`, `d`) and digits are the same in
//!   both languages.
//! - Failures are values, never sentences: the core's [`Error`] (rendered here by
//!   [`Texts::error`], one `err_` template per variant), the settings'
//!   [`SettingsError`](crate::settings::SettingsError) (`set_` templates) and the page's
//!   own [`Message`](crate::message::Message)s (`msg_` templates). Each is said in the
//!   language in use when shown and said again on a language switch; the nouns inside
//!   them (the core's `what` words, URL parameter names) come from the `word_` keys
//!   ([`Texts::noun`]). The English column equals the core's and the settings' own
//!   English text, which the command-line tool prints (a test checks every variant).
//! - The page runs on one thread, so the language in use is a thread-local ([`set`],
//!   [`t`]); it starts as English, which the native tests and the test oracle rely on.

use std::cell::Cell;
use std::fmt::Display;

use convlens_core::detect::WeightsProblem;
use convlens_core::error::{by, commas};
use convlens_core::nn::digits::{self, DigitsProblem};
use convlens_core::{
    Channels, DisplayMapping, Error, LayerProblem, Named, PaddingMode, Position, Preset,
};

/// A language of the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// English (the default).
    #[default]
    En,
    /// Russian, the course's language.
    Ru,
}

impl Lang {
    /// Both languages, in the order of the switch.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Ru];

    /// The code in `lang=` and `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ru => "ru",
        }
    }

    /// The language of a `lang=` value (`en` or `ru`).
    pub fn from_code(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language for the browser's preferred languages (`navigator.languages`, most
    /// preferred first): Russian for `ru`, `ru-RU`, ..., English otherwise.
    pub fn from_browser<S: AsRef<str>>(languages: &[S]) -> Lang {
        match languages.first() {
            Some(tag) if tag.as_ref().to_ascii_lowercase().starts_with("ru") => Lang::Ru,
            _ => Lang::En,
        }
    }

    /// This language's strings.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Ru => &RU,
        }
    }
}

thread_local! {
    static CURRENT: Cell<Lang> = const { Cell::new(Lang::En) };
}

/// Makes `lang` the language of everything made from now on (on this thread).
pub fn set(lang: Lang) {
    CURRENT.with(|c| c.set(lang));
}

/// The language in use.
pub fn current() -> Lang {
    CURRENT.with(Cell::get)
}

/// The strings of the language in use.
pub fn t() -> &'static Texts {
    current().texts()
}

/// Defines [`Texts`] with one field per key, and the two columns [`EN`] and [`RU`].
macro_rules! texts {
    ($($key:ident: $en:literal, $ru:literal;)*) => {
        /// Every string of the page in one language, one field per key.
        #[derive(Debug)]
        pub struct Texts {
            $(
                #[doc = $en]
                pub $key: &'static str,
            )*
        }

        /// The English column.
        pub const EN: Texts = Texts { $($key: $en,)* };

        /// The Russian column.
        pub const RU: Texts = Texts { $($key: $ru,)* };

        impl Texts {
            /// Every key with its string, in table order.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($key), self.$key),)*]
            }
        }
    };
}

texts! {
    // The page's frame.
    page_title: "convlens: convolution and pooling, live", "convlens: свёртка и пулинг вживую";
    tagline: "Convolution and pooling on a real image, computed in your browser.",
        "Свёртка и пулинг на настоящем изображении, вычисленные в вашем браузере.";
    language: "Language", "Язык";
    help_open: "? Shortcuts", "? Клавиши";
    help_title: "Keyboard shortcuts", "Клавиши";
    help_caption: "They work whenever the focus is not in a text field. Esc closes this list.",
        "Они работают, когда фокус не в текстовом поле. Esc закрывает этот список.";
    help_close: "Close", "Закрыть";
    footer: "convlens computes everything in this page with Rust compiled to WebAssembly; no image or webcam frame ever leaves your browser. Photos: scikit-image sample data, public domain and CC0 (",
        "convlens вычисляет всё на этой странице кодом на Rust, скомпилированным в WebAssembly; ни изображение, ни кадр веб-камеры не покидают ваш браузер. Фото: примеры данных scikit-image, общественное достояние и CC0 (";
    licenses: "licenses", "лицензии";

    // Controls.
    demo: "Demo", "Демонстрация";
    tab_conv: "Convolution", "Свёртка";
    tab_pool: "Pooling", "Пулинг";
    tab_steps: "Step by step", "Шаг за шагом";
    tab_1d: "1D", "1D";
    tab_transposed: "Transposed", "Транспонированная";
    tab_detect: "Faces", "Лица";
    detect_legend: "Face detector", "Детектор лиц";
    tab_channels: "Channels & 1×1", "Каналы и 1×1";
    tab_stack: "Layer stack", "Стек слоёв";
    tab_blocks: "Blocks", "Блоки";
    tab_train: "Train", "Обучение";
    train_title: "LeNet learns", "LeNet учится";
    slide: "Slide", "Что двигаем";
    op_conv: "the kernel", "ядро";
    op_max: "max pooling", "макс-пулинг";
    op_mean: "mean pooling", "пулинг по среднему";
    grid_size: "Grid size", "Размер сетки";
    pointer: "Pointer", "Указатель";
    paint_off: "type", "ввод";
    paint_1: "paint 1", "рисовать 1";
    paint_0: "paint 0", "рисовать 0";
    oned_legend: "1D convolution", "1D свёртка";
    transposed_legend: "Transposed convolution", "Транспонированная свёртка";
    t_grid: "Input x (rows split by ;)", "Вход x (строки через ;)";
    t_kernel: "Kernel w (rows split by ;)", "Ядро w (строки через ;)";
    output_padding: "Output padding", "Выходной отступ";
    sequence_x: "Sequence x", "Последовательность x";
    kernel_w: "Kernel w", "Ядро w";
    numbers_note: "Numbers separated by commas; press Enter to apply.",
        "Числа через запятую; нажмите Enter, чтобы применить.";
    channels: "Channels", "Каналы";
    mixing: "Mixing", "Смешивание";
    mix_gray_red_green: "RGB → gray, and red − green", "RGB → серый, и красный − зелёный";
    mix_gray: "RGB → gray", "RGB → серый";
    mix_swap: "swap red and blue", "поменять красный и синий";
    mix_sum: "sum of the channels", "сумма каналов";
    mix_red: "red only", "только красный";
    mix_weights: "Weights per output (R,G,B; rows split by ;)",
        "Веса для каждого выхода (R,G,B; строки через ;)";
    filters: "Filters", "Фильтры";
    weight_times_kernel: "weight × kernel", "вес × ядро";
    bias: "Bias", "Смещение";
    input: "Input", "Вход";
    image: "Image", "Изображение";
    image_astronaut: "Astronaut", "Астронавт";
    image_chelsea: "Cat", "Кошка";
    image_coffee: "Coffee", "Кофе";
    image_camera: "Cameraman (gray)", "Оператор (серое)";
    image_brick: "Brick wall (gray)", "Кирпичная стена (серое)";
    image_webcam: "Webcam (live)", "Веб-камера (вживую)";
    open_image: "Open image…", "Открыть изображение…";
    freeze_frame: "Freeze frame", "Заморозить кадр";
    frame_meter: "Frame meter", "Счётчик кадров";
    more_settings: "More settings", "Ещё настройки";
    fit_maps: "Fit maps to the box", "Растянуть карты по рамке";
    projector: "Projector", "Проектор";
    projector_title: "Large type, thick lines, high contrast (key P)", "Крупный шрифт, толстые линии, высокий контраст (клавиша P)";
    embed: "Embed", "Встроить";
    embed_title: "Embed this view in slides", "Встроить этот вид в слайды";
    embed_controls: "Controls shown in the frame", "Элементы управления во фрейме";
    embed_size: "Frame size", "Размер фрейма";
    embed_paste: "Paste this into your slides' HTML", "Вставьте это в HTML ваших слайдов";
    embed_camera_note: "allow=\"camera\" is there for the webcam input: a browser lets a page inside an iframe use the camera only when the page around it allows it.",
        "allow=\"camera\" нужен для входа с веб-камеры: браузер разрешает странице во фрейме пользоваться камерой, только если это позволяет окружающая страница.";
    embed_copy: "Copy again", "Скопировать ещё раз";
    embed_copied: "Copied to the clipboard: paste it into your slides' HTML.",
        "Скопировано в буфер обмена: вставьте в HTML ваших слайдов.";
    embed_refused: "The browser did not let the page use the clipboard ({why}). The snippet is selected below: copy it with Ctrl+C (⌘C on a Mac).",
        "Браузер не дал странице доступ к буферу обмена ({why}). Фрагмент выделен ниже: скопируйте его клавишами Ctrl+C (⌘C на Mac).";
    embed_no_clipboard: "no clipboard here: it needs https or localhost", "здесь нет буфера обмена: нужен https или localhost";
    download_png_aria: "Download as PNG", "Скачать как PNG";
    download_png: "Download PNG:", "Скачать PNG:";
    export_input: "input", "вход";
    export_kernel: "kernel", "ядро";
    export_map: "map", "карта";
    export_panel: "whole panel", "вся панель";
    export_gif: "Download GIF", "Скачать GIF";
    meter_line: "grab {grab} + compute {compute} + draw {draw} = {total} ms a frame (worst {worst})",
        "захват {grab} + вычисление {compute} + отрисовка {draw} = {total} мс на кадр (худший {worst})";
    meter_rate: " · {fps} frames/s", " · {fps} кадров/с";
    path_integer_3x3: "integer 3x3", "целочисленный 3x3";
    path_integer: "integer", "целочисленный";
    path_separable: "separable", "сепарабельный";
    path_box: "box (running sums)", "box (скользящие суммы)";
    path_general: "general", "общий";
    path_pooling: "whole-frame pooling", "пулинг по всему кадру";
    resume_webcam: "Resume webcam", "Продолжить видео";
    size: "Size", "Размер";
    own_size: "own size", "исходный";
    channel_all: "All", "Все";
    channel_gray: "Gray", "Серый";
    kernel: "Kernel", "Ядро";
    kernel_size: "Kernel size", "Размер ядра";
    stride: "Stride", "Шаг";
    padding: "Padding", "Отступ";
    padding_custom: "custom", "свой";
    dilation: "Dilation", "Расширение";
    padding_mode: "Padding mode", "Чем заполнять отступ";
    display: "Display", "Отображение";
    display_clamp: "clamp to 0…255", "обрезать до 0…255";
    display_abs: "absolute value", "модуль";
    display_normalize: "min–max normalised", "нормировка min–max";
    display_diverging: "diverging colours", "расходящаяся шкала цветов";
    stack: "Stack", "Стек";
    stack_three: "Three 3×3 convolutions", "Три свёртки 3×3";
    stack_one: "One 7×7 convolution", "Одна свёртка 7×7";
    stack_deep: "3×3 layers to see 100×100 pixels", "Слои 3×3, чтобы увидеть 100×100 пикселей";
    stack_custom: "Your own (edit the layers)", "Свой (измените слои)";
    layers_field: "Layers (edit; applied when you leave the field)",
        "Слои (изменения применяются, когда вы покидаете поле)";
    layers_note_label: "Layers:", "Слои:";
    layers_note: "Pick a row of the table to see that layer's feature maps; point at a map to see its receptive field on the network's input.",
        "Выберите строку таблицы, чтобы увидеть карты признаков этого слоя; наведите на карту, чтобы увидеть рецептивное поле на входе сети.";
    pool_size: "Pool size", "Размер окна";
    pool_stride_auto: "= pool size", "= размеру окна";
    function: "Function", "Функция";

    // Panels.
    input_image_aria: "Input image", "Входное изображение";
    padding_title: "padding", "отступ";
    loading: "Loading…", "Загрузка…";
    drop_hint: "Drop an image here, or open one above.",
        "Перетащите сюда изображение или откройте его выше.";
    kernel_weights_aria: "Kernel weights", "Веса ядра";
    cross_correlation: "Cross-correlation, as in PyTorch: the kernel is not flipped.",
        "Взаимная корреляция, как в PyTorch: ядро не переворачивается.";
    oned_hint: "Point at, tap or focus an output z to see its sum. Hatched cells are zero padding.",
        "Наведите, коснитесь или выберите выход z, чтобы увидеть его сумму. Заштрихованные ячейки — нулевой отступ.";
    oned_matrix_title: "The same, as a fully connected layer", "То же самое как полносвязный слой";
    channels_title: "Each output channel adds up its input channels",
        "Каждый выходной канал складывает входные каналы";
    channels_signed: "Maps with negative values in colour: blue negative · white 0 · red positive (each scaled by its largest |value|).",
        "Карты с отрицательными значениями — в цвете: синий — отрицательное · белый — 0 · красный — положительное (каждая по своему наибольшему |значению|).";
    parameters: "Parameters", "Параметры";
    operations: "Operations", "Операции";
    in_pytorch: "In PyTorch", "В PyTorch";
    steps_hint: "Type a number in a cell, or choose “paint” and drag over cells. Hatched cells are padding.",
        "Введите число в ячейку или выберите «рисовать» и проведите по ячейкам. Заштрихованные ячейки — отступ.";
    output: "Output", "Выход";
    output_chw: "Output (C × H × W)", "Выход (C × В × Ш)";
    feature_map: "Feature map", "Карта признаков";
    pooled_map: "Pooled map", "Карта после пулинга";
    pooled_hint: "Each channel is pooled on its own.", "Каждый канал проходит пулинг отдельно.";
    player: "Step through the positions", "Пройти по позициям окна";
    previous_position: "Previous position", "Предыдущая позиция";
    next_position: "Next position", "Следующая позиция";
    back: "◀ Back", "◀ Назад";
    play: "▶ Play", "▶ Пуск";
    pause: "❚❚ Pause", "❚❚ Пауза";
    next: "Next ▶", "Дальше ▶";
    speed: "Speed", "Скорость";
    speed_slow: "slow", "медленно";
    speed_normal: "normal", "обычно";
    speed_fast: "fast", "быстро";
    speed_very_fast: "very fast", "очень быстро";
    position: "Position", "Позиция";
    network_input: "Network input", "Вход сети";
    network_input_aria: "The image as the network receives it", "Изображение, каким его получает сеть";
    feature_maps: "Feature maps", "Карты признаков";
    layer_by_layer: "Layer by layer", "Слой за слоем";
    layer_pytorch: "Layer (PyTorch)", "Слой (PyTorch)";
    multiply_adds: "Multiply-adds", "Умножения-сложения";
    receptive_field: "Receptive field", "Рецептивное поле";
    jump: "Jump", "Сдвиг";
    total: "Total", "Всего";
    architectures_title: "The lecture's architectures", "Архитектуры из лекции";
    architecture: "Architecture", "Архитектура";
    year: "Year", "Год";
    imagenet_top1: "ImageNet top-1", "Топ-1 на ImageNet";
    counted_here: "Counted here", "Подсчитано здесь";
    numbers: "The numbers", "Числа";
    output_size: "Output size", "Размер выхода";
    pool_no_parameters: "none: pooling learns nothing", "нет: пулинг ничему не обучается";
    one_cell: "One cell, worked out", "Одна ячейка, подробно";

    // Made by the page.
    group_lecture: "From the lecture", "Из лекции";
    group_blurs: "Blurs", "Размытия";
    group_more: "More", "Ещё";
    kernel_custom: "Custom (edit the cells)", "Своё (измените ячейки)";
    preset_edges: "Edges", "Границы";
    preset_blur: "Blur", "Размытие";
    preset_sharpen: "Sharpen", "Резкость";
    preset_sobel_top: "Top Sobel", "Собель сверху";
    preset_sobel_bottom: "Bottom Sobel", "Собель снизу";
    preset_sobel_left: "Left Sobel", "Собель слева";
    preset_sobel_right: "Right Sobel", "Собель справа";
    preset_identity: "Identity", "Тождественное";
    preset_box3: "Box blur 3x3", "Среднее 3x3";
    preset_box5: "Box blur 5x5", "Среднее 5x5";
    preset_box7: "Box blur 7x7", "Среднее 7x7";
    preset_gaussian3: "Gaussian blur 3x3", "Гауссово размытие 3x3";
    preset_gaussian5: "Gaussian blur 5x5", "Гауссово размытие 5x5";
    preset_gaussian7: "Gaussian blur 7x7", "Гауссово размытие 7x7";
    preset_emboss: "Emboss", "Рельеф";
    preset_outline: "Outline", "Контур";
    preset_lecture_example: "Lecture example", "Пример из лекции";
    kernel_size_fixed: "fixed by this preset; pick Custom to resize",
        "задан этим ядром; выберите «Своё», чтобы изменить размер";
    padding_note_same: "pads so the output keeps the input's size (stride 1)",
        "отступ такой, чтобы выход сохранил размер входа (шаг 1)";
    padding_note_valid: "no padding: the window stays inside the image",
        "без отступа: окно остаётся внутри изображения";
    weight_aria: "Weight, row {row}, column {column}", "Вес, строка {row}, столбец {column}";
    kernel_sum: "sum of weights = {sum}", "сумма весов = {sum}";
    input_caption: "{label}: {height} × {width} pixels (H × W), 3 channels (R, G, B)",
        "{label}: {height} × {width} пикселей (В × Ш), 3 канала (R, G, B)";
    size_hw: "{height} × {width} (H × W)", "{height} × {width} (В × Ш)";
    legend_clamp: "drawn as clamp(round(v), 0, 255): negatives black",
        "показано как clamp(round(v), 0, 255): отрицательные чёрные";
    legend_abs: "drawn as clamp(round(|v|), 0, 255)", "показано как clamp(round(|v|), 0, 255)";
    legend_normalize: "drawn stretched: {low} → 0, {high} → 255",
        "показано растянутым: {low} → 0, {high} → 255";
    legend_diverging: "blue −{largest} · white 0 · red +{largest}",
        "синий −{largest} · белый 0 · красный +{largest}";
    legend_diverging_channels: "above per channel: gray 128 is 0, ±{largest} the extremes; below each channel in the colour map: blue −{largest} · white 0 · red +{largest}",
        "вверху по каналам: серый 128 — это 0, ±{largest} — крайние значения; внизу каждый канал в цветовой шкале: синий −{largest} · белый 0 · красный +{largest}";
    channel_map: "channel {channel}", "канал {channel}";
    legend_values: "values {low} … {high}; {how}", "значения {low} … {high}; {how}";
    cell_hint: "Point at, tap or focus (Tab, then arrow keys) a cell of the output map to see the input window it comes from and its arithmetic.",
        "Наведите, коснитесь или выберите (Tab, затем стрелки) ячейку выходной карты, чтобы увидеть окно входа, из которого она получена, и её арифметику.";
    cell_heading: "Output cell row {y}, column {x} ← input rows {top}…{bottom}, columns {left}…{right}{every}",
        "Выходная ячейка: строка {y}, столбец {x} ← строки входа {top}…{bottom}, столбцы {left}…{right}{every}";
    every_nth: ", every {step}th pixel", ", каждый {step}-й пиксель";
    cell_announcement: "Row {y}, column {x}: {results}", "Строка {y}, столбец {x}: {results}";
    channel_caption: "Channel {name}", "Канал {name}";
    padded_title: "padding ({mode})", "отступ ({mode})";
    stack_gray: "gray, 1 channel", "серое, 1 канал";
    stack_rgb: "RGB, 3 channels", "RGB, 3 канала";
    maps_title: "Feature maps of layer {layer}: ", "Карты признаков слоя {layer}: ";
    maps_vector: "This layer outputs a vector of {n} numbers, not maps.",
        "Этот слой выдаёт вектор из {n} {n|числа|чисел|чисел}, а не карты.";
    maps_not_run: "Not run here: the layers up to this one need more than {budget} multiply-adds, more than the demo spends on one image. The numbers in the table are exact.",
        "Здесь не вычислено: слоям до этого нужно больше {budget} умножений-сложений, больше, чем демо тратит на одно изображение. Числа в таблице точные.";
    maps_note: "{shown} of {total} channels, {height} × {width} (H × W) each, every map stretched to black…white on its own.",
        "{shown} из {total} {total|канала|каналов|каналов}, каждый {height} × {width} (В × Ш), каждая карта растянута до чёрного…белого отдельно.";
    map_channel: "channel {n}", "канал {n}";
    stack_window: "Layer {layer} cell (row {y}, column {x}) sees input rows {top}…{bottom}, columns {left}…{right}: a {height}×{width} receptive field.",
        "Ячейка слоя {layer} (строка {y}, столбец {x}) видит строки входа {top}…{bottom}, столбцы {left}…{right}: рецептивное поле {height}×{width}.";
    grid_cell_aria: "Input row {row}, column {column}", "Вход, строка {row}, столбец {column}";
    steps_position: "Position {step} of {positions}: output row {y}, column {x}",
        "Позиция {step} из {positions}: строка выхода {y}, столбец {x}";
    oned_size: "{inputs} inputs, kernel of {taps}, {outputs} outputs",
        "{inputs} {inputs|вход|входа|входов}, ядро из {taps}, {outputs} {outputs|выход|выхода|выходов}";
    channels_kernel: "{height}×{width} kernel", "ядро {height}×{width}";
    output_channel: "output channel {n}", "выходной канал {n}";
    key_space: "Space", "Пробел";
    key_comma: ", and .", ", и .";
    feature_map_aria: "Feature map of {height} × {width} cells (H × W)", "Карта признаков из {height} × {width} ячеек (В × Ш)";
    pooled_map_aria: "Pooled map of {height} × {width} cells (H × W)", "Карта после пулинга из {height} × {width} ячеек (В × Ш)";
    pool_ceil_dropped: "the last window would start in the padding", "последнее окно начиналось бы в отступе";
    pool_power: "Power p (LP)", "Степень p (LP)";
    ceil_mode: "ceil mode: round the size up", "ceil_mode: округлять размер вверх";
    show_argmax: "show where each maximum came from", "показать, откуда взят каждый максимум";
    pool_dilation: "Dilation", "Расширение";
    pool_include_pad: "padding counts in the mean's divisor", "отступ входит в делитель среднего";
    pool_divisor: "Divisor", "Делитель";
    pool_divisor_auto: "auto", "авто";
    divisor_padded: "{divisor}: the window with its padding", "{divisor}: окно вместе с отступом";
    divisor_given: "{divisor}: divisor_override", "{divisor}: задан divisor_override";
    argmax_title: "Where each maximum came from", "Откуда взят каждый максимум";
    argmax_hint: "The input dimmed; the {taken} {taken|cell|cells} the windows took stay bright (return_indices=True gives their flat indices, per channel). With Size 64 or 32 each cell is big enough to see.",
        "Вход притушен; {taken} {taken|клетка|клетки|клеток}, взятые окнами, остаются яркими (с флагом return_indices PyTorch отдаёт их номера в плоскости каждого канала). При размере 64 или 32 каждая клетка видна отдельно.";
    unpooled_title: "Unpooling: each maximum put back where it came from", "Анпулинг: каждый максимум возвращён на своё место";
    unpooled_hint: "Zeros everywhere else: the layer keeps where, not what else was there.", "Всюду остальное — нули: слой помнит, где был максимум, но не то, что было вокруг.";
    argmax_aria: "Map of {height} × {width} cells (H × W)", "Карта из {height} × {width} ячеек (В × Ш)";
    transposed_title: "Each input cell stamps the kernel, scaled by its value; overlaps add up",
        "Каждая клетка входа ставит штамп — ядро, умноженное на её значение; наложения складываются";
    transposed_hint: "Hatched cells are cropped away by the padding. Point at, tap or focus an output cell to see its sum.",
        "Заштрихованные клетки отрезает отступ. Наведите на клетку выхода, коснитесь её или выберите с клавиатуры, чтобы увидеть её сумму.";
    transposed_stamp: "Stamp {step} of {stamps}: x[{y},{x}] = {value} adds {value} × w to rows {top}–{bottom}, columns {left}–{right} (counted before the crop)",
        "Штамп {step} из {stamps}: x[{y},{x}] = {value} добавляет {value} × w в строки {top}–{bottom}, столбцы {left}–{right} (считая до обрезки)";
    transposed_cropped: "a cropped cell", "отрезанная клетка";
    transposed_no_stamp: "no stamp reaches it", "сюда не попадает ни один штамп";
    transposed_parameters: "{weights} {weights|weight|weights} (the kernel), no bias",
        "{weights} {weights|вес|веса|весов} (ядро), без смещения";
    transposed_flops: "{cells} input {cells|cell|cells} × {weights} {weights|weight|weights} = {total} multiply-adds: every cell stamps the whole kernel (the cropped products included, as PyTorch's profilers count)",
        "{cells} {cells|клетка|клетки|клеток} входа × {weights} {weights|вес|веса|весов} = {total} умножений-сложений: каждая клетка ставит всё ядро (отрезанные произведения тоже считаются, как в профилировщиках PyTorch)";
    transposed_matrix_title: "The same, as the transpose of the convolution's matrix",
        "То же самое: транспонированная матрица свёртки";
    transposed_matrix_note: "Rows: the {outputs} output {outputs|cell|cells}; columns: the {inputs} input {inputs|cell|cells} (row by row, as PyTorch flattens them). It is the transpose of the matrix of the convolution below (the same kernel, stride, padding and dilation), which maps {out_h} × {out_w} back to {h} × {w}: so a transposed convolution is also that convolution's gradient with respect to its input.",
        "Строки — {outputs} {outputs|клетка|клетки|клеток} выхода, столбцы — {inputs} {inputs|клетка|клетки|клеток} входа (построчно, как их вытягивает PyTorch). Это транспонированная матрица свёртки ниже (с тем же ядром, шагом, отступом и расширением), которая переводит {out_h} × {out_w} обратно в {h} × {w}; поэтому транспонированная свёртка — это ещё и градиент той свёртки по её входу.";
    transposed_matrix_too_large: "The matrix ({outputs} × {inputs}) is too large to draw here: make the input or the kernel smaller.",
        "Матрица ({outputs} × {inputs}) слишком велика, чтобы нарисовать её здесь: уменьшите вход или ядро.";
    checker_title: "The checkerboard: a photo upsampled by 2", "Шахматный узор: фото, увеличенное в 2 раза";
    checker_photo: "The photo, gray, at most 64 pixels a side", "Фото в оттенках серого, не больше 64 пикселей по стороне";
    checker_uneven: "Kernel 3, stride 2: the stamps overlap unevenly", "Ядро 3, шаг 2: штампы перекрываются неравномерно";
    checker_uneven_counts: "Stamps reaching each cell (kernel 3): {counts}", "Сколько штампов попадает в клетку (ядро 3): {counts}";
    checker_even: "Kernel 4, stride 2: even overlaps", "Ядро 4, шаг 2: равномерные перекрытия";
    checker_even_counts: "The same count with kernel 4: {counts} inside", "То же для ядра 4: внутри {counts}";
    checker_resized: "Resize ×2 (nearest), then a 3×3 convolution: no checkerboard", "Увеличение ×2 (ближайший сосед), затем свёртка 3×3: узора нет";
    checker_note: "Every weight is the same (4/9 with kernel 3, 1/4 with kernel 4), so any pattern comes from the overlaps alone: with stride 2, kernel 3 leaves cells that 1, 2 or 4 stamps reach, kernel 4 reaches every inner cell 4 times. Learned weights can only hide the uneven overlap, not remove it (Odena, Dumoulin, Olah, “Deconvolution and Checkerboard Artifacts”, Distill 2016).",
        "Все веса одинаковы (4/9 для ядра 3, 1/4 для ядра 4), поэтому любой узор возникает только из перекрытий: при шаге 2 ядро 3 оставляет клетки, в которые попадает 1, 2 или 4 штампа, а ядро 4 попадает в каждую внутреннюю клетку 4 раза. Обученные веса могут лишь замаскировать неравномерное перекрытие, но не убрать его (Одена, Думулен, Ола, «Деконволюция и шахматные артефакты», журнал Distill, 2016).";
    checker_aria: "Upsampled map of {height} × {width} cells (H × W)", "Увеличенная карта из {height} × {width} ячеек (В × Ш)";

    // Shortcuts.
    shortcut_help: "show or hide this list", "показать или скрыть этот список";
    shortcut_next_kernel: "next kernel", "следующее ядро";
    shortcut_previous_kernel: "previous kernel", "предыдущее ядро";
    shortcut_stride: "stride 1 → 2 → 3", "шаг 1 → 2 → 3";
    shortcut_padding: "padding 0 → 1 → same → valid", "отступ 0 → 1 → same → valid";
    shortcut_dilation: "dilation 1 → 2 → 3", "расширение 1 → 2 → 3";
    shortcut_channels: "channels all → R → G → B → gray", "каналы все → R → G → B → серый";
    shortcut_play: "play or pause the steps (or the stamps)", "запустить или остановить шаги (или штампы)";
    shortcut_step: "one step back (then . one step forward)", "на шаг назад (а . — на шаг вперёд)";
    shortcut_freeze: "freeze or resume the webcam", "остановить или продолжить видео с камеры";
    shortcut_projector: "projector mode: large type, thick lines", "режим проектора: крупный шрифт, толстые линии";

    // The numbers (pipeline).
    parameters_one: "K_h·K_w·C_in·C_out = {kh}·{kw}·1·1 = {count} (no bias)",
        "K_h·K_w·C_in·C_out = {kh}·{kw}·1·1 = {count} (без смещения)";
    parameters_depthwise: "K_h·K_w·(C_in/groups)·C_out = {kh}·{kw}·1·{channels} = {count} (one {kh}×{kw} kernel per channel, no bias)",
        "K_h·K_w·(C_in/groups)·C_out = {kh}·{kw}·1·{channels} = {count} (по одному ядру {kh}×{kw} на канал, без смещения)";
    flops_depthwise: "H_out·W_out·C_out·K_h·K_w·(C_in/groups) = {height}·{width}·{channels}·{kh}·{kw}·1 = {multiply_adds} multiply-adds, ×2 = {flops} FLOPs",
        "H_out·W_out·C_out·K_h·K_w·(C_in/groups) = {height}·{width}·{channels}·{kh}·{kw}·1 = {multiply_adds} умножений-сложений, ×2 = {flops} FLOPs";
    field_window: "each output cell sees a window of {height}×{width} input pixels",
        "каждая выходная ячейка видит окно из {height}×{width} пикселей входа";
    field_dilated: " (a {kh}×{kw} kernel at dilation {d}: its {weights} weights spread with gaps of {gap} {gap|pixel|pixels}, a larger field at no extra weights)",
        " (ядро {kh}×{kw} при расширении {d}: его {weights} {weights|вес|веса|весов} расставлены с промежутками в {gap} {gap|пиксель|пикселя|пикселей}, поле больше без лишних весов)";
    field_neighbours: "; neighbouring cells look {s} {s|pixel|pixels} apart",
        "; соседние ячейки смотрят со сдвигом в {s} {s|пиксель|пикселя|пикселей}";
    whole_image: "whole image", "всё изображение";
    note_three: "Three 3×3 layers see a {field}×{field} window with {weights} weights; one 7×7 layer sees the same window with 49. Several small convolutions are cheaper, and deeper.",
        "Три слоя 3×3 видят окно {field}×{field} при {weights} весах; один слой 7×7 видит то же окно при 49. Несколько маленьких свёрток дешевле и глубже.";
    note_one: "One 7×7 layer sees a {field}×{field} window with {weights} weights; three 3×3 layers see the same with 27.",
        "Один слой 7×7 видит окно {field}×{field} при {weights} весах; три слоя 3×3 видят то же при 27.";
    note_deep: "To see a 100×100 object with 3×3 layers at stride 1: ⌈(100 − 1)/(3 − 1)⌉ = {layers} layers (receptive field {field}). Strides and pooling grow the field much faster.",
        "Чтобы увидеть объект 100×100 слоями 3×3 с шагом 1: ⌈(100 − 1)/(3 − 1)⌉ = {layers} {layers|слой|слоя|слоёв} (рецептивное поле {field}). Шаг и пулинг растят поле гораздо быстрее.";
    note_custom: "Your stack: {parameters} parameters, {multiply_adds} multiply-adds per {height}×{width} image. The weights here are simple fixed filters (the lecture's kernels), not learned ones.",
        "Ваш стек: {parameters} параметров, {multiply_adds} умножений-сложений на изображение {height}×{width}. Веса здесь — простые фиксированные фильтры (ядра из лекции), а не обученные.";
    note_preset: "{name}: {parameters} parameters, {multiply_adds} multiply-adds per {height}×{width} image, as torchvision builds it. The weights here are simple fixed filters (the lecture's kernels), not learned ones.",
        "{name}: {parameters} параметров, {multiply_adds} умножений-сложений на изображение {height}×{width}, как в torchvision. Веса здесь — простые фиксированные фильтры (ядра из лекции), а не обученные.";
    // The block views.
    blocks_legend: "Block", "Блок";
    block_residual: "Residual block", "Остаточный блок";
    block_inception: "Inception block", "Блок Inception";
    block_dense: "Dense block", "Плотный блок";
    blocks_planes: "Planes",
        "Ширина блока";
    blocks_stride: "Stride", "Шаг";
    blocks_bottleneck: "Bottleneck (1×1, 3×3, 1×1)",
        "Узкое горло (1×1, 3×3, 1×1)";
    blocks_gain: "∂F/∂x per block, ×100", "∂F/∂x в блоке, ×100";
    blocks_depth: "Blocks deep", "Глубина, блоков";
    blocks_branches: "Branches: 1×1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool proj", "Ветви: 1×1, сжатие 3×3, 3×3, сжатие 5×5, 5×5, проекция пулинга";
    blocks_factor: "n of n×n → n×1 + 1×n", "n для n×n → n×1 + 1×n";
    blocks_growth: "Growth rate k", "Темп роста k";
    blocks_layers: "Dense layers", "Плотных слоёв";
    blocks_diagram_aria: "The block drawn as boxes and arrows; pick a box to see its layers", "Блок, нарисованный прямоугольниками и стрелками; выберите прямоугольник, чтобы увидеть его слои";
    blocks_numbers_title: "The numbers", "Числа";
    blocks_picked_title: "Inside the picked box", "Внутри выбранного прямоугольника";
    block_why: "Why residual connections", "Зачем остаточные связи";
    blocks_why_blocks: "Blocks of two 3×3 convolutions", "Блоков из двух свёрток 3×3";
    why_note: "Two stacks of 3×3 convolutions (4 channels, ReLU) learn the digits side by side: the same layers, the same initial weights and the same batches; the second adds each block's input to its output (y = F(x) + x). Each layer passes the gradient back multiplied by its ∂F/∂x, which is well below 1 at PyTorch's initial weights: in the plain stack it shrinks layer after layer, and the early layers stop learning. The shortcut adds ∂x/∂x = 1 at every block.",
        "Два стека свёрток 3×3 (4 канала, ReLU) учатся распознавать цифры бок о бок: те же слои, те же начальные веса и те же пакеты; второй прибавляет вход каждого блока к его выходу (y = F(x) + x). Каждый слой передаёт градиент назад, умножая его на свою ∂F/∂x, а при начальных весах PyTorch она намного меньше 1: в простом стеке градиент тает от слоя к слою, и первые слои перестают учиться. Обходная связь добавляет в каждом блоке ∂x/∂x = 1.";
    why_start: "Train both", "Обучить оба";
    why_pause: "Pause", "Пауза";
    why_resume: "Go on", "Продолжить";
    why_again: "Train again", "Обучить заново";
    why_loading: "Loading the training module and the digits…", "Загружаем модуль обучения и цифры…";
    why_idle: "{blocks} blocks: {layers} convolutions and a linear layer in each stack. Press the button to train both.",
        "Блоков: {blocks}, в каждом стеке свёрток: {layers} и линейный слой. Нажмите кнопку, чтобы обучить оба.";
    why_status: "Step {step} of {steps}: loss {plain} plain, {residual} residual. Gradient of the first convolution: {plain_first} plain, {residual_first} residual; of the last layer: {plain_last} and {residual_last}.",
        "Шаг {step} из {steps}: потери {plain} у простого, {residual} у остаточного. Градиент первой свёртки: {plain_first} у простого, {residual_first} у остаточного; последнего слоя: {plain_last} и {residual_last}.";
    why_loss_caption: "Loss per step (ln 10 ≈ 2.3 is a guess among 10 digits): plain in blue, residual in red.",
        "Потери на каждом шаге (ln 10 ≈ 2,3 — угадывание из 10 цифр): простой стек синим, остаточный красным.";
    why_norms_caption: "Each layer's gradient size ‖∂L/∂W‖ now (filled) and at the first step (outlined), first layer on the left, log scale: plain in blue, residual in red.",
        "Размер градиента каждого слоя ‖∂L/∂W‖ сейчас (закрашено) и на первом шаге (контур), первый слой слева, логарифмическая шкала: простой стек синим, остаточный красным.";
    why_loss_aria: "Both stacks' loss per step", "Потери обоих стеков по шагам";
    why_norms_aria: "Each layer's gradient size in both stacks", "Размер градиента каждого слоя в обоих стеках";
    stack_inside: "Inside", "Внутри";
    stack_running: "Computing the maps: layer {done} of {total}…", "Считаем карты: слой {done} из {total}…";
    stack_blocks_title: "Block by block", "Блок за блоком";
    stack_block: "Block", "Блок";
    stack_blocks_note: "A ▸ opens a group of repeated blocks; pick a block to see its inside and its output's maps on the photo, a box of its drawing to see that layer's maps.",
        "▸ раскрывает группу одинаковых блоков; выберите блок, чтобы увидеть, что внутри, и карты его выхода на фотографии, а прямоугольник на схеме — чтобы увидеть карты этого слоя.";
    stack_inside_aria: "The picked block drawn as boxes and arrows; pick a box to see its maps",
        "Выбранный блок: прямоугольники и стрелки; нажмите на прямоугольник, чтобы увидеть его карты";
    stack_networks: "torchvision networks (branches and merges)", "Сети torchvision (ветвления и слияния)";
    blocks_pick: "Click or tap a box of the drawing to see its layers as PyTorch writes them.", "Нажмите на прямоугольник схемы, чтобы увидеть его слои так, как их пишет PyTorch.";
    blocks_totals: "The whole block: {parameters} parameters, {multiply_adds} multiply-adds per image; receptive field of its output {field}.",
        "Весь блок: {parameters} параметров, {multiply_adds} умножений-сложений на изображение; рецептивное поле выхода {field}.";
    blocks_residual_f: "y = F(x) + x. F is the branch of {convs} {convs|convolution|convolutions} with batch normalisation: {parameters} parameters, {multiply_adds} multiply-adds. The block learns only what to add to x.",
        "y = F(x) + x. F — ветвь из {convs} {convs|свёртки|свёрток|свёрток} с батч-нормализацией: {parameters} параметров, {multiply_adds} умножений-сложений. Блок учит только то, что нужно добавить к x.";
    blocks_identity: "Shortcut: the identity, x itself (0 parameters): input and output are both {shape}.",
        "Обходная связь: тождественная, сам x (0 параметров): вход и выход оба {shape}.";
    blocks_projection: "Shortcut: a projection, because the shape changes from {from} to {to}: a 1×1 convolution with stride {stride} and batch normalisation ({parameters} parameters), y = F(x) + W_s·x.",
        "Обходная связь: проекция, потому что форма меняется с {from} на {to}: свёртка 1×1 с шагом {stride} и батч-нормализация ({parameters} параметров), y = F(x) + W_s·x.";
    blocks_gradient: "∂y/∂x = ∂F/∂x + 1. With ∂F/∂x = {g} in each of {depth} blocks, the gradient is multiplied by {g}^{depth} = {plain} without shortcuts, by {g1}^{depth} = {residual} with them: one term per path, and the path along the shortcuts alone gives exactly 1 at any depth ({one} paths through one branch give {one_total}). The gradient does not vanish.",
        "∂y/∂x = ∂F/∂x + 1. При ∂F/∂x = {g} в каждом из {depth} {depth|блока|блоков|блоков} градиент умножается на {g}^{depth} = {plain} без обходных связей и на {g1}^{depth} = {residual} с ними: по слагаемому на путь, и путь по одним обходным связям даёт ровно 1 при любой глубине ({one} путей через одну ветвь дают {one_total}). Градиент не затухает.";
    blocks_inception_branches: "Four branches on {input}: 1×1 to {c1}; 1×1 to {red3}, 3×3 to {c3}; 1×1 to {red5}, 3×3 to {c5} (the paper's 5×5; torchvision has 3×3); 3×3 max pool, 1×1 to {cp}. Concatenated: {c1} + {c3} + {c5} + {cp} = {out} channels.",
        "Четыре ветви на {input}: 1×1 в {c1}; 1×1 в {red3}, 3×3 в {c3}; 1×1 в {red5}, 3×3 в {c5} (в статье 5×5, в torchvision 3×3); макс-пулинг 3×3, 1×1 в {cp}. Конкатенация: {c1} + {c3} + {c5} + {cp} = {out} каналов.";
    blocks_reduction: "The 1×1 reduction before a {k}×{k} from {inputs} to {outputs} channels: {inputs}·{outputs}·{k}² = {direct} weights directly, {inputs}·{reduced} + {reduced}·{outputs}·{k}² = {with} through {reduced} channels, {percent} % fewer ({macs_direct} → {macs_with} multiply-adds on {h}×{w}).",
        "Сжатие 1×1 перед {k}×{k} из {inputs} в {outputs} каналов: {inputs}·{outputs}·{k}² = {direct} весов напрямую, {inputs}·{reduced} + {reduced}·{outputs}·{k}² = {with} через {reduced} каналов, на {percent} % меньше ({macs_direct} → {macs_with} умножений-сложений на {h}×{w}).";
    blocks_factorised: "{n}×{n} replaced by {n}×1 then 1×{n}: {full} → {factored} weights per pair of channels ({percent} % fewer), the same {n}×{n} receptive field. Inception v3 does this with 1×7 and 7×1.",
        "{n}×{n} заменена на {n}×1, затем 1×{n}: {full} → {factored} весов на пару каналов (на {percent} % меньше), то же рецептивное поле {n}×{n}. Inception v3 так делает с 1×7 и 7×1.";
    blocks_dense_growth: "Each of the {layers} layers reads the concatenation of everything before it and adds k = {k} channels: {list}; {c0} + {layers}·{k} = {total} channels concatenated at the end.",
        "Каждый из {layers} {layers|слоя|слоёв|слоёв} читает конкатенацию всего, что было до него, и добавляет k = {k} каналов: {list}; в конце конкатенировано {c0} + {layers}·{k} = {total} каналов.";
    blocks_dense_layer: "A dense layer: BN, ReLU, 1×1 to 4·k = {bottleneck}, BN, ReLU, 3×3 to k = {k}.",
        "Плотный слой: BN, ReLU, 1×1 в 4·k = {bottleneck}, BN, ReLU, 3×3 в k = {k}.";
    blocks_transition: "The transition: BN, ReLU, a 1×1 convolution from {channels} to {half} channels, then 2×2 average pooling: {out} ({parameters} parameters).",
        "Переходный слой: BN, ReLU, свёртка 1×1 из {channels} в {half} каналов, затем усредняющий пулинг 2×2: {out} ({parameters} параметров).";
    blocks_node: "→ {output}, {parameters} parameters, {multiply_adds} multiply-adds",
        "→ {output}, {parameters} параметров, {multiply_adds} умножений-сложений";
    architecture_counted: "{parameters} parameters, {multiply_adds} multiply-adds at {height}×{width}; receptive field {field} (preset {preset}); {rounding}",
        "{parameters} параметров, {multiply_adds} умножений-сложений при {height}×{width}; рецептивное поле {field} (пресет {preset}); {rounding}";
    architecture_rounds: "the lecture's {figure} is this count rounded", "{figure} в лекции — это число, округлённое";
    architecture_paper: "the lecture's {figure} is the paper's rounded figure", "{figure} в лекции — округлённое число из статьи";
    oned_parameters: "The convolution has {taps} weights, shared by all {outputs} outputs. A fully connected layer from {inputs} inputs to {outputs} outputs has {outputs} × {inputs} = {weights} weights: this matrix is that layer, with {shared} entries holding the shared weights and {zeros} zeros.",
        "У свёртки {taps} {taps|вес|веса|весов}, общих для всех {outputs} выходов. Полносвязный слой из {inputs} входов в {outputs} выходов имеет {outputs} × {inputs} = {weights} весов: эта матрица — такой слой, где {shared} элементов хранят общие веса, а {zeros} равны нулю.";
    channels_parameters_bias: "(K_h·K_w·C_in + 1)·C_out = ({kh}·{kw}·3 + 1)·{outputs} = {count} (with bias)",
        "(K_h·K_w·C_in + 1)·C_out = ({kh}·{kw}·3 + 1)·{outputs} = {count} (со смещением)";
    channels_parameters: "(K_h·K_w·C_in)·C_out = ({kh}·{kw}·3)·{outputs} = {count} (no bias)",
        "(K_h·K_w·C_in)·C_out = ({kh}·{kw}·3)·{outputs} = {count} (без смещения)";
    channels_flops: "H_out·W_out·C_out·K_h·K_w·C_in = {height}·{width}·{outputs}·{kh}·{kw}·3 = {multiply_adds} multiply-adds",
        "H_out·W_out·C_out·K_h·K_w·C_in = {height}·{width}·{outputs}·{kh}·{kw}·3 = {multiply_adds} умножений-сложений";
    shown_clamp: "shown as clamp(round(v), 0, 255) = {byte}", "показано как clamp(round(v), 0, 255) = {byte}";
    shown_abs: "shown as clamp(round(|v|), 0, 255) = {byte}", "показано как clamp(round(|v|), 0, 255) = {byte}";
    shown_normalize: "shown as (v − min)/(max − min)·255 = ({v} − {min})/({max} − {min})·255 = {byte}",
        "показано как (v − min)/(max − min)·255 = ({v} − {min})/({max} − {min})·255 = {byte}";
    shown_constant: "the map is constant: shown as mid-gray 128", "карта постоянна: показана серым 128";
    shown_diverging: "shown at {t} of the colour scale, rgb({r}, {g}, {b})",
        "показано в точке {t} цветовой шкалы, rgb({r}, {g}, {b})";
    shown_diverging_channels: "shown as 128 + 127·v/max|v| = {byte}", "показано как 128 + 127·v/max|v| = {byte}";

    // Messages the page shows (see [`Message`]): each variant has its template here.
    msg_sentence: "{why}.", "{why}.";
    msg_went_wrong: "Something went wrong: {why}", "Что-то пошло не так: {why}";
    msg_detector_failed: "The face detector could not be loaded: {why}", "Детектор лиц не загрузился: {why}";
    msg_bug: "The demo hit a bug and stopped: {detail}. Reload the page to start again.",
        "В демо ошибка, и оно остановилось: {detail}. Перезагрузите страницу, чтобы начать заново.";
    msg_last_valid_kernel: "{why}. The last valid kernel is still in use.",
        "{why}. Используется последнее верное ядро.";
    msg_last_valid_output: "{why}. The last valid output is still shown.",
        "{why}. Показан последний верный результат.";
    msg_last_valid_grid: "{why}; the grid keeps its last valid values",
        "{why}; сетка сохраняет последние верные значения";
    msg_no_camera_access: "this page has no camera access here (a camera needs https or localhost)",
        "у страницы здесь нет доступа к камере (камере нужен https или localhost)";
    msg_camera_asking: "Asking for the camera… Its frames stay in this browser: nothing is sent anywhere.",
        "Запрашиваем камеру… Её кадры остаются в этом браузере: ничего никуда не отправляется.";
    msg_camera_refused: "the camera was refused; allow it in the browser's site settings to use it",
        "доступ к камере запрещён; разрешите его в настройках сайта в браузере";
    msg_camera_not_found: "no camera was found", "камера не найдена";
    msg_camera_stopped: "the camera stopped", "камера остановилась";
    msg_camera_not_opened: "the camera could not be opened", "камеру не удалось открыть";
    msg_camera_failed: "Webcam: {why} ({detail}). The demo goes on with a photo.",
        "Веб-камера: {why} ({detail}). Демо продолжается с фотографией.";
    msg_camera_on: "Webcam on: its frames stay in this browser, nothing is sent anywhere.",
        "Веб-камера включена: её кадры остаются в этом браузере, ничего никуда не отправляется.";
    msg_camera_no_frames: "the camera stopped sending frames", "камера перестала присылать кадры";
    msg_drop_images: "Only image files can be dropped here.", "Сюда можно перетаскивать только изображения.";
    msg_not_image: "'{name}' is not an image ({type}); open a PNG, JPEG, GIF, WebP or BMP file.",
        "«{name}» — не изображение ({type}); откройте файл PNG, JPEG, GIF, WebP или BMP.";
    msg_unreadable: "'{name}' could not be read as an image (the file may be damaged or in a format this browser cannot decode).",
        "«{name}» не удалось прочитать как изображение (файл повреждён или в формате, который этот браузер не декодирует).";
    msg_unreadable_previous: "'{name}' could not be read as an image (the file may be damaged or in a format this browser cannot decode). The previous image stays.",
        "«{name}» не удалось прочитать как изображение (файл повреждён или в формате, который этот браузер не декодирует). Остаётся прежнее изображение.";
    msg_no_pixels: "'{name}' has no pixels.", "В «{name}» нет пикселей.";
    msg_scaled_down: "'{name}' is {height} × {width} pixels (H × W): it was scaled down to {scaled_height} × {scaled_width} to keep the demo responsive.",
        "«{name}» размером {height} × {width} пикселей (В × Ш): уменьшено до {scaled_height} × {scaled_width}, чтобы демо не тормозило.";
    msg_no_canvas: "this browser gives no 2D canvas", "этот браузер не даёт 2D-холст";
    msg_no_window: "no window: the page must run in a browser", "нет окна: страница должна работать в браузере";
    msg_no_positions: "there is no window position to draw", "нет ни одной позиции окна";
    msg_photo: "Photo '{what}'", "Фото «{what}»";
    msg_your_image: "Your image '{name}'", "Ваше изображение «{name}»";
    msg_webcam: "Webcam", "Веб-камера";
    msg_or: "or", "или";
    msg_quote_join: "', '", "», «";

    // The training view.
    train_legend: "Training", "Обучение";
    train_net: "Layers (the stack view's syntax)", "Слои (синтаксис вида «Стек»)";
    train_optimizer: "Optimizer", "Оптимизатор";
    train_lr: "Learning rate", "Скорость обучения";
    train_sgd: "SGD (momentum 0.9)", "SGD (момент 0,9)";
    train_batch: "Batch size", "Размер батча";
    train_epochs: "Epochs", "Эпохи";
    train_seed: "Seed", "Зерно генератора";
    train_note: "LeNet-5 by default: 1×28×28 → conv 5×5, 6, padding 2 → ReLU → max 2 → conv 5×5, 16 → ReLU → max 2 → 400 → 120 → 84 → 10. The learning rate falls by 0.8 after every epoch; each training digit is moved by up to 2 pixels.",
        "По умолчанию LeNet-5: 1×28×28 → свёртка 5×5, 6, отступ 2 → ReLU → max 2 → свёртка 5×5, 16 → ReLU → max 2 → 400 → 120 → 84 → 10. Скорость обучения умножается на 0,8 после каждой эпохи; каждая обучающая цифра сдвигается не больше чем на 2 пикселя.";
    train_start: "Start", "Старт";
    train_pause: "Pause", "Пауза";
    train_resume: "Resume", "Продолжить";
    train_done: "Done", "Готово";
    train_reset: "Reset", "Сбросить";
    train_parameters: "{count} learned parameters", "Обучаемых параметров: {count}";
    train_loading: "Loading the MNIST digits (8,000 to learn from, 2,000 to test on)…",
        "Загружаются цифры MNIST (8000 для обучения, 2000 для проверки)…";
    train_failed: "The training module could not start.", "Модуль обучения не запустился.";
    train_progress: "Epoch {epoch} of {epochs} · step {step} of {steps} · loss {loss} · training accuracy {train} · test accuracy {test}",
        "Эпоха {epoch} из {epochs} · шаг {step} из {steps} · потеря {loss} · точность на обучающих {train} · на тестовых {test}";
    train_speed: "{speed} digits a second (forward, backward and update)", "{speed} цифр в секунду (прямой и обратный проход, шаг)";
    train_speed_epoch: "{speed} digits a second (forward, backward and update); the last epoch took {seconds} s",
        "{speed} цифр в секунду (прямой и обратный проход, шаг); последняя эпоха заняла {seconds} с";
    train_curves_title: "Loss and accuracy", "Потеря и точность";
    train_curve_loss: "training loss (left)", "потеря на обучающих (слева)";
    train_curve_train: "training accuracy", "точность на обучающих";
    train_curve_test: "test accuracy (2,000 digits)", "точность на тестовых (2000 цифр)";
    train_curves_note: "Along the bottom: epochs.", "По горизонтали: эпохи.";
    train_kernels_title: "What the first layers learn", "Чему учатся первые слои";
    train_kernels1: "Layer 1: one column per filter (click one to choose it)", "Слой 1: по столбцу на фильтр (щёлкните, чтобы выбрать)";
    train_kernel: "Filter", "Фильтр";
    train_apply: "Apply to a photo", "Применить к фото";
    msg_learned_kernel: "The kernel is filter {index} of layer 1 as the training view learned it after {step} steps (its weights rounded to 4 decimals; the filter's bias is left out; the map is drawn normalized).",
        "Ядро — фильтр {index} слоя 1, каким его выучила сеть за {step} шагов обучения (веса округлены до 4 знаков после запятой; смещение фильтра не учитывается; карта нормирована).";
    train_kernels2: "Layer 2: one column per filter, one row per input channel", "Слой 2: по столбцу на фильтр, по строке на входной канал";
    train_kernels_note: "Blue: negative weights, red: positive. The purple bar under each filter is the size of its gradient in the last step, against the largest seen.",
        "Синий — отрицательные веса, красный — положительные. Фиолетовая полоса под фильтром — величина его градиента на последнем шаге относительно наибольшей за обучение.";
    train_digit_title: "One digit through the network", "Одна цифра через сеть";
    train_pick: "Test digit (1–2000)", "Тестовая цифра (1–2000)";
    train_prediction_test: "Test digit {index} is a {label}; the network says {predicted} ({confidence}).",
        "Тестовая цифра {index} — это {label}; сеть отвечает {predicted} ({confidence}).";
    train_prediction_drawn: "Your digit: the network says {predicted} ({confidence}).", "Ваша цифра: сеть отвечает {predicted} ({confidence}).";
    train_probabilities: "The ten class probabilities", "Вероятности десяти классов";
    train_pad_title: "Draw a digit", "Нарисуйте цифру";
    train_pad_note: "Draw with the mouse, a finger or a pen; it is scaled to 20×20 and centred by its centre of mass in 28×28, as the MNIST digits were.",
        "Рисуйте мышью, пальцем или пером; рисунок уменьшается до 20×20 и ставится центром масс в центр поля 28×28, как цифры MNIST.";
    train_clear: "Clear", "Стереть";
    train_confusion_title: "Confusion matrix (rows: the true digit, columns: the prediction)",
        "Матрица ошибок (строки — настоящая цифра, столбцы — ответ сети)";
    train_wrong_title: "Misclassified test digits (true → predicted); pick one to see it",
        "Ошибки на тестовых цифрах (настоящая → ответ); выберите, чтобы рассмотреть";
    train_maps_title: "Every layer's output for this digit", "Выход каждого слоя для этой цифры";
    train_pad_aria: "Drawing pad for a digit", "Поле для рисования цифры";
    train_wrong_aria: "The misclassified test digits; click one to see its maps", "Ошибочно распознанные тестовые цифры; нажмите на одну, чтобы увидеть её карты";

    // Settings refused (the URL and the controls), one per `SettingsError` variant.
    set_kept: "{why} (kept {value})", "{why} (оставлено {value})";
    set_no_view: "there is no view '{value}'; use {known}", "нет вида «{value}»; возможны {known}";
    set_no_image: "there is no image '{value}'; use {known}", "нет изображения «{value}»; возможны {known}";
    set_size: "size must be {known}, not '{value}'", "размер (size) может быть {known}, а не «{value}»";
    set_whole_number: "{what} must be a whole number from {low} to {high}, not '{value}'",
        "{what}: нужно целое число от {low} до {high}, а не «{value}»";
    set_flag: "{key} must be 0 or 1, not '{value}'", "{key}: может быть 0 или 1, а не «{value}»";
    set_no_stack: "there is no stack '{value}'; use {known}", "нет стека «{value}»; возможны {known}";
    set_no_block: "there is no block '{value}'; use {known}", "нет блока «{value}»; возможны {known}";
    set_branches: "the Inception branches are six channel counts from 1 to 1024 (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool projection), not '{value}'",
        "ветви Inception — это шесть чисел каналов от 1 до 1024 (1x1, сжатие перед 3x3, 3x3, сжатие перед 5x5, 5x5, проекция после пулинга), а не «{value}»";
    set_grid_at_most: "the grid can be at most {max}×{max}", "сетка может быть не больше {max}×{max}";
    set_at_most: "the {what} can be at most {max}×{max}", "{what}: не больше {max}×{max}";
    set_no_operation: "there is no operation '{value}'; use {known}", "нет операции «{value}»; возможны {known}";
    set_number: "the {what} must be a number, not '{value}'", "{what}: нужно число, а не «{value}»";
    set_no_optimizer: "there is no optimizer '{value}'; use {known}", "нет оптимизатора «{value}»; возможны {known}";
    set_mix_rows: "the mixing weights need one row per output channel (at most 4), each with 3 numbers: for R, G and B",
        "весам смешивания нужна одна строка на выходной канал (не больше 4), в каждой 3 числа: для R, G и B";
    set_bias_one: "the bias is one number", "смещение — это одно число";
    set_one_row: "the {what} must be one row of at most {limit} numbers, separated by commas",
        "{what}: нужна одна строка не более чем из {limit} чисел через запятую";
    set_lang: "lang must be en or ru, not '{value}'", "язык (lang) может быть en или ru, а не «{value}»";
    set_no_control: "there is no control '{names}' to show; use {known}",
        "нет элемента управления «{names}»; возможны {known}";
    set_unknown_parameter: "the parameter '{key}' is not known and was ignored",
        "параметр «{key}» неизвестен и пропущен";
    set_repeated: "the parameter '{key}' is given more than once; the last value is used",
        "параметр «{key}» указан несколько раз; используется последнее значение";

    // The core's errors, one per `convlens_core::Error` variant (a native test makes each
    // and checks that the English equals the core's own text).
    err_zero: "the {what} must be at least 1", "{what}: нужно значение не меньше 1";
    err_data_length: "the {what} needs {expected} values but has {actual}",
        "{what}: нужно {expected} {expected|значение|значения|значений}, а дано {actual}";
    err_not_finite: "the {what} at {position} is {value}: every value must be a finite number",
        "{what} ({position}) — {value}: каждое значение должно быть конечным числом";
    err_weight_too_large: "the {what} at {position} is {value}: weights must lie between -{limit} and {limit}",
        "{what} ({position}) — {value}: веса должны лежать между -{limit} и {limit}";
    err_empty_output: "the effective {window} ({size}{dilated}) is larger than the padded input ({padded}): the output would be empty",
        "эффективный размер окна ({window}: {size}{dilated}) больше входа с отступом ({padded}): выход был бы пустым";
    err_at_dilation: " at dilation {dilation} covers {covers}", " при расширении {dilation} охватывает {covers}";
    err_groups: "{channels} {what} cannot be split into {groups} equal groups: the number of {what} must be a multiple of groups",
        "{channels} ({what}) нельзя разделить на {groups} равных групп: это число должно делиться на groups";
    err_filter_channels: "each filter must have one kernel per input channel of its group: the input has {channels} channels in {groups} group(s), so {per_filter} per filter, but the filters have {filters}",
        "у каждого фильтра должно быть по ядру на входной канал его группы: у входа {channels} каналов в {groups} группах, значит {per_filter} на фильтр, а у фильтров {filters}";
    err_padding_smaller: "{mode} padding of {padding} pixels must be smaller than the input's size along that axis ({size} pixels)",
        "отступ «{mode}» в {padding} пикс. должен быть меньше размера входа по этой оси ({size} пикс.)";
    err_padding_at_most: "{mode} padding of {padding} pixels must be at most the input's size along that axis ({size} pixels)",
        "отступ «{mode}» в {padding} пикс. должен быть не больше размера входа по этой оси ({size} пикс.)";
    err_pool_padding: "pooling padding of {padding} is more than half the window ({window}): a window could then hold only padding",
        "отступ пулинга {padding} больше половины окна ({window}): окно могло бы попасть целиком в отступ";
    err_mean_dilation: "mean pooling has no dilation (PyTorch's AvgPool2d takes none): set dilation to 1",
        "у пулинга по среднему нет расширения (AvgPool2d в PyTorch его не принимает): поставьте расширение 1";
    err_same_stride: "padding 'same' keeps the size only at stride 1 (the stride here is {stride}); PyTorch refuses it too: choose a number instead",
        "отступ 'same' сохраняет размер только при шаге 1 (здесь шаг {stride}); PyTorch тоже его не принимает: выберите число";
    err_not_drawable: "only one image of 1 or 3 channels can be drawn, not {shape}",
        "нарисовать можно только одно изображение из 1 или 3 каналов, а не {shape}";
    err_ragged: "every row of the {what} must have the same length: row 1 has {first} values but row {row} has {length}",
        "{what}: все строки должны быть одной длины, но в строке 1 {first} {first|значение|значения|значений}, а в строке {row} — {length}";
    err_too_large: "the {what} is {size}, more than the limit of {limit}", "{what}: {size}, больше предела {limit}";
    err_tensor_too_large: "a tensor of {shape} values is too large: the limit is {limit}",
        "тензор из {shape} значений — слишком много, предел {limit}";
    err_overflow: "the {what} is too large to count", "{what}: слишком много, чтобы сосчитать";
    err_cell_outside: "the {what} is {height}x{width}; there is no cell at row {row}, column {column}",
        "{what}: {height}x{width}; ячейки в строке {row}, столбце {column} нет";
    err_no_layer: "the stack has {layers} layers; there is no layer {layer}", "в стеке {layers} {layers|слой|слоя|слоёв}; слоя {layer} нет";
    err_layer_cell: "layer {layer} outputs {height}x{width} cells; there is no cell at row {row}, column {column}",
        "слой {layer} выдаёт карту {height}x{width}; ячейки в строке {row}, столбце {column} нет";
    err_no_channel: "there are {channels} channels; there is no channel {channel}",
        "{channels} {channels|канал|канала|каналов}; канала {channel} нет";
    err_no_growth: "a {kernel}x{kernel} kernel never grows the receptive field",
        "ядро {kernel}x{kernel} никогда не увеличивает рецептивное поле";
    err_no_kernel: "there is no kernel called '{name}'; known kernels: {known}", "нет ядра «{name}»; известные ядра: {known}";
    err_no_pooling: "there is no pooling called '{name}'; use {known}", "нет пулинга «{name}»; возможны {known}";
    err_no_channel_name: "there is no channel called '{name}'; use {known}", "нет канала «{name}»; возможны {known}";
    err_no_display: "there is no display called '{name}'; use {known}", "нет способа показа «{name}»; возможны {known}";
    err_no_padding_mode: "there is no padding mode called '{name}'; use {known}",
        "нет режима отступа «{name}»; возможны {known}";
    err_not_a_number: "the {what} cell at {position} ({text}) is not a number",
        "{what}: ячейка ({position}) со значением «{text}» — не число";
    err_layer: "layer {layer} ('{text}'): {why}", "слой {layer} («{text}»): {why}";
    err_missing_parenthesis: "a ')' is missing", "не хватает ')'";
    err_not_whole: "'{text}' is not a whole number", "«{text}» — не целое число";
    err_from_to: "the {what} must be from 1 to {high}, not {value}", "{what}: нужно от 1 до {high}, а не {value}";
    err_takes: "takes {low} to {high} numbers, not {count}", "нужно от {low} до {high} чисел, а не {count}";
    err_layer_padding: "the padding must be at most {limit}, not {padding}", "отступ должен быть не больше {limit}, а не {padding}";
    err_layer_names: "use {names}", "возможны {names}";
    err_flat_into_image: "layer {layer} ({pytorch}) needs an image, but gets a flat vector",
        "слою {layer} ({pytorch}) нужно изображение, а он получает плоский вектор";
    err_label: "example {index} has the label {label}, but the classes are 0 to {last}",
        "у примера {index} метка {label}, а классы — от 0 до {last}";
    err_setting: "the {what} must be from {low} to {high}, not {value}",
        "{what}: нужно от {low} до {high}, а не {value}";
    err_training_input: "the training images are {shape}: the stack must start with input({expected}), not input({actual})",
        "обучающие изображения — {shape}: стек должен начинаться с input({expected}), а не input({actual})";
    err_training_output: "the last layer must give {classes} scores, one per class, but gives {shape}: end the stack with linear({classes})",
        "последний слой должен давать {classes} {classes|оценку|оценки|оценок}, по одной на класс, а даёт {shape}: закончите стек слоем linear({classes})";
    err_diverged: "the loss became {loss} at step {step}: the learning rate is too large for this network; lower it and start again",
        "на шаге {step} функция потерь стала {loss}: скорость обучения слишком велика для этой сети; уменьшите её и начните заново";
    err_weight_not_finite: "weight number {index} is {value}: every weight must be a finite number",
        "вес номер {index} равен {value}: каждый вес должен быть конечным числом";
    err_digit_index: "there is no image {index}: the set has {count}", "изображения {index} нет: в наборе их {count}";
    err_digits_not: "the digits file is not a digits file (it does not start with 'CLDIGITS')",
        "файл цифр — не файл цифр (он не начинается с «CLDIGITS»)";
    err_digits_version: "the digits file is of version {found}; this version of convlens reads version {version}",
        "файл цифр версии {found}; эта версия программы читает версию {version}";
    err_digits_sizes: "the digits file claims {count} images of {size} ({train} for training) in {classes} classes, which is no data set (at most {limit} images)",
        "файл цифр заявляет {count} изображений {size} ({train} для обучения) в {classes} классах — такого набора данных не бывает (не больше {limit} изображений)";
    err_digits_truncated: "the digits file ends too soon, after {length} bytes",
        "файл цифр обрывается слишком рано, после {length} байт";
    err_digits_label: "the digits file gives image {index} the label {label}, which is no class",
        "в файле цифр у изображения {index} метка {label}, а такого класса нет";
    err_digits_pixels: "the digits file holds {found} pixels where its images need {expected}: it is damaged",
        "в файле цифр {found} пикселей, а изображениям нужно {expected}: файл повреждён";
    err_digits_checksum: "the digits file has the checksum {found} instead of {expected}: it is damaged",
        "у файла цифр контрольная сумма {found} вместо {expected}: файл повреждён";
    err_weights_not: "the face detector's weights file is not a weights file (it does not start with 'CLMTCNN1')",
        "файл весов детектора лиц — не файл весов (он не начинается с «CLMTCNN1»)";
    err_weights_truncated: "the face detector's weights file ends too soon, after {length} bytes",
        "файл весов детектора лиц обрывается слишком рано, после {length} байт";
    err_weights_checksum: "the face detector's weights file has the checksum {found} instead of {expected}: it is damaged",
        "у файла весов детектора лиц контрольная сумма {found} вместо {expected}: файл повреждён";
    err_weights_layout: "the face detector's weights file holds another tensor at place {index} where {expected} belongs",
        "в файле весов детектора лиц на месте {index} лежит другой тензор, а должен быть {expected}";
    err_weights_trailing: "the face detector's weights file has {count} bytes after its last tensor",
        "в файле весов детектора лиц {count} {count|лишний байт|лишних байта|лишних байт} после последнего тензора";
    err_output_padding: "the output padding ({padding}) must be smaller than the stride ({stride}) or the dilation ({dilation}) along each axis",
        "выходной отступ ({padding}) должен быть меньше шага ({stride}) или расширения ({dilation}) по каждой оси";
    err_cropped_away: "the padding removes {rows} rows and {columns} columns of a {height}x{width} output: nothing would be left",
        "отступ убирает {rows} {rows|строку|строки|строк} и {columns} {columns|столбец|столбца|столбцов} из выхода {height}x{width}: ничего не останется";
    err_transposed_weight: "a transposed convolution's weight has one row of kernels per input channel: the input has {input} channels, but the weight {weight}",
        "у веса транспонированной свёртки по строке ядер на каждый входной канал: у входа {input} {input|канал|канала|каналов}, а у веса {weight}";
    err_wrong_shape: "the {what} must have shape {expected} (N x C x H x W), not {actual}",
        "{what}: нужна форма {expected} (N x C x H x W), а не {actual}";
    err_window_in_padding: "pooled {line} {cell} would take only padding: its dilated window steps over the whole input",
        "окно {line} {cell} карты после пулинга попадает только на отступ: с расширением оно перешагивает весь вход";
    err_index_outside_plane: "index {index} is outside its {height}x{width} plane (indices run from 0 to {last})",
        "индекс {index} вне своей плоскости {height}x{width} (индексы от 0 до {last})";
    err_lp_dilation: "LP pooling has no dilation (PyTorch's LPPool2d takes none): set dilation to 1",
        "у LP-пулинга нет расширения (LPPool2d в PyTorch его не принимает): поставьте расширение 1";
    err_divisor_not_mean: "only mean pooling divides by a divisor (divisor_override belongs to PyTorch's AvgPool2d): drop the divisor {divisor} or choose mean pooling",
        "делитель бывает только у пулинга средним (divisor_override есть только у AvgPool2d в PyTorch): уберите делитель {divisor} или выберите пулинг средним";
    err_lp_power: "the power of LP pooling must be a number above 0, not {p}",
        "степень LP-пулинга должна быть числом больше 0, а не {p}";
    err_unpool_size: "the unpooled size {asked} must be within one stride ({stride}) of {default}, the size the pooling's settings give",
        "размер после анпулинга {asked} должен отличаться от {default} (размера по настройкам пулинга) меньше чем на шаг ({stride})";
    word_pooled_row: "row", "строки";
    word_pooled_column: "column", "столбца";
    pos_transposed_weight: "input channel {input}, output channel {output}, row {row}, column {column}",
        "входной канал {input}, выходной канал {output}, строка {row}, столбец {column}";
    err_merge_add: "layer {layer} ({merge}) cannot join a {first} map with a {other} map: adding needs maps of one shape",
        "слой {layer} ({merge}) не может соединить карту {first} с картой {other}: складывать можно только карты одной формы";
    err_merge_concat: "layer {layer} ({merge}) cannot join a {first} map with a {other} map: concatenating along channels needs maps of one height and width",
        "слой {layer} ({merge}) не может соединить карту {first} с картой {other}: конкатенировать по каналам можно только карты одной высоты и ширины";
    err_merge_scale: "layer {layer} ({merge}) cannot join a {first} map with a {other} map: scaling needs one weight per channel of the map (C×1×1)",
        "слой {layer} ({merge}) не может соединить карту {first} с картой {other}: для масштабирования нужен один вес на канал карты (C×1×1)";
    err_unaligned_merge: "layer {layer} joins paths whose cells are {a} and {b} input pixels apart: no one receptive field describes its cells",
        "слой {layer} соединяет пути, у которых соседние ячейки отстоят на {a} и {b} пикселей входа: одно рецептивное поле не описывает его ячейки";
    err_wiring_exact: "layer {layer} takes {low} {low|input|inputs}, not {given}",
        "слой {layer} принимает {low} {low|вход|входа|входов}, а не {given}";
    err_wiring_least: "layer {layer} takes at least {low} {low|input|inputs}, not {given}",
        "слой {layer} принимает не меньше {low} {low|входа|входов|входов}, а не {given}";
    err_wiring_range: "layer {layer} takes {low} to {high} inputs, not {given}", "слой {layer} принимает от {low} до {high} входов, а не {given}";
    err_later_input: "layer {layer} reads layer {input}, which does not come before it",
        "слой {layer} читает слой {input}, который идёт не раньше него";
    pos_cell: "row {row}, column {column}", "строка {row}, столбец {column}";
    pos_filter: "filter {filter}, channel {channel}, row {row}, column {column}",
        "фильтр {filter}, канал {channel}, строка {row}, столбец {column}";
    pos_output_channel: "output channel {channel}", "выходной канал {channel}";

    // Nouns inside messages: the core's `what` words and the URL's parameter names, said
    // word for word (`Texts::noun`).
    word_stride: "stride", "шаг";
    word_planes: "planes",
        "ширина блока";
    word_block_stride: "block_stride", "шаг блока";
    word_bottleneck: "bottleneck",
        "узкое горло";
    word_gain: "gain", "производная ветви (в сотых)";
    word_depth: "depth", "глубина";
    word_factor: "factor", "размер раскладываемого ядра";
    word_growth: "growth", "темп роста k";
    word_dense_layers: "dense_layers", "число плотных слоёв";
    word_go_around: "number of layers to go around", "число слоёв, которые обходит связь";
    word_dilation: "dilation", "расширение";
    word_padding: "padding", "отступ";
    word_pool_size: "pool_size", "размер окна пулинга";
    word_pool_stride: "pool_stride", "шаг пулинга";
    word_pool_padding: "pool_padding", "отступ пулинга";
    word_pool_dilation: "pool_dilation", "расширение пулинга";
    word_pool_include_pad: "pool_include_pad", "отступ в делителе среднего";
    word_pool_divisor: "pool_divisor", "делитель среднего";
    word_tstride: "tstride", "шаг транспонированной свёртки";
    word_tpadding: "tpadding", "отступ транспонированной свёртки";
    word_output_padding: "output_padding", "выходной отступ";
    word_tdilation: "tdilation", "расширение транспонированной свёртки";
    word_tstep: "tstep", "номер штампа";
    word_learning_rate: "learning rate", "скорость обучения";
    word_learning_rate_decay: "learning rate decay", "затухание скорости обучения";
    word_weight_decay: "weight decay", "затухание весов";
    word_momentum: "momentum", "момент";
    word_beta1: "beta1", "коэффициент β₁";
    word_beta2: "beta2", "коэффициент β₂";
    word_epsilon: "epsilon", "эпсилон";
    word_epochs: "number of epochs", "число эпох";
    word_batch_size: "batch size", "размер батча";
    word_seed: "seed", "зерно генератора";
    word_shift: "augmentation shift", "сдвиг при аугментации";
    word_classes: "number of classes", "число классов";
    word_layer: "layer", "номер слоя";
    word_step: "step", "позиция";
    word_kernel: "kernel", "ядро";
    word_grid: "grid", "сетка";
    word_mixing_weights: "mixing weights", "веса смешивания";
    word_bias_word: "bias", "смещение";
    word_sequence: "sequence", "последовательность";
    word_one_d_kernel: "1D kernel", "одномерное ядро";
    word_empty: "empty", "пусто";
    word_kernel_height: "kernel height", "высота ядра";
    word_kernel_width: "kernel width", "ширина ядра";
    word_kernel_size: "kernel size", "размер ядра";
    word_kernel_weight: "kernel weight", "вес ядра";
    word_pooling_window: "pooling window", "окно пулинга";
    word_pooling_height: "pooling window height", "высота окна пулинга";
    word_pooling_width: "pooling window width", "ширина окна пулинга";
    word_input_channels_count: "number of input channels", "число входных каналов";
    word_output_channels_count: "number of output channels", "число выходных каналов";
    word_groups_count: "number of groups", "число групп";
    word_channels_count: "number of channels", "число каналов";
    word_height: "height", "высота";
    word_width: "width", "ширина";
    word_input_height: "input height", "высота входа";
    word_input_width: "input width", "ширина входа";
    word_rows_count: "number of rows", "число строк";
    word_columns_count: "number of columns", "число столбцов";
    word_layers_count: "number of layers", "число слоёв";
    word_input_size: "input size", "размер входа";
    word_object_size: "object size", "размер объекта";
    word_adaptive_height: "adaptive pooling height", "высота адаптивного пулинга";
    word_divisor_override: "divisor_override", "делитель среднего";
    word_shuffle_factor: "shuffle factor", "коэффициент перестановки пикселей";
    word_adaptive_width: "adaptive pooling width", "ширина адаптивного пулинга";
    word_output_features: "number of output features", "число выходных признаков";
    word_tensor: "tensor", "тензор";
    word_rgba_frame: "RGBA frame (4 bytes per pixel)", "кадр RGBA (4 байта на пиксель)";
    word_bias_per_channel: "bias (one value per output channel)", "смещение (одно значение на выходной канал)";
    word_input_channels: "input channels", "входных каналов";
    word_output_channels: "output channels", "выходных каналов";
    word_layer_size: "layer size", "размер слоя";
    word_padded_input: "padded input", "вход с отступом";
    word_receptive_field: "receptive field", "рецептивное поле";
    word_count: "count", "число параметров или операций";
    word_pooled_map: "pooled map", "карта после пулинга";
    word_map: "map", "карта";
    word_channels: "channels", "число каналов";
    word_filters: "number of filters", "число фильтров";
    word_window: "window", "окно";
    word_outputs: "number of outputs", "число выходов";
    word_gradient_of_output: "gradient of the output", "градиент по выходу";
    word_transposed_output: "transposed convolution's output", "выход транспонированной свёртки";
    word_unpooled_map: "unpooled map", "карта после анпулинга";
    word_min_face: "minimum face size", "наименьший размер лица";
    word_pyramid_factor: "pyramid factor", "множитель пирамиды";
    word_face_threshold: "face threshold", "порог вероятности лица";
    word_detector_input: "detector input", "вход детектора";
    word_pnet_input: "P-Net input", "вход P-Net";
    word_rnet_input: "R-Net input", "вход R-Net";
    word_prelu_slopes: "PReLU slopes (one per channel)", "наклоны PReLU (по одному на канал)";
    word_patch: "patch", "образец";
    word_patch_width: "patch width", "ширина образца";
    word_patch_height: "patch height", "высота образца";
    word_image: "image", "изображение";
    word_unknown_error: "unknown error", "неизвестная ошибка";
    word_astronaut: "astronaut", "астронавт";
    word_chelsea: "chelsea", "кошка Челси";
    word_coffee: "coffee", "кофе";
    word_camera: "camera", "оператор";
    word_brick: "brick", "кирпичи";

    // The detector view.
    detect_title: "One set of weights slides over the whole picture: a trained face detector (MTCNN) answers at every place and size",
        "Одни и те же веса скользят по всей картинке: обученный детектор лиц (MTCNN) отвечает в каждом месте и для каждого размера";
    detect_min_face: "Smallest face, px", "Наименьшее лицо, пикс.";
    detect_threshold: "Threshold, %", "Порог, %";
    detect_rnet: "Stages", "Стадии";
    detect_rnet_on: "P-Net, then R-Net", "P-Net, затем R-Net";
    detect_rnet_off: "P-Net alone", "только P-Net";
    detect_loading: "Loading the face detector…", "Загружается детектор лиц…";
    detect_summary: "Faces: {faces}. P-Net's proposals: {proposals}, over {levels} levels of the pyramid.",
        "Лиц: {faces}. Предложений P-Net: {proposals} на {levels} уровнях пирамиды.";
    detect_box: "x {x}  y {y}  width {width}  height {height}  score {score}",
        "x {x}  y {y}  ширина {width}  высота {height}  оценка {score}";
    detect_hint: "P-Net has no fully connected layer: its classifier is a 1×1 convolution, so the same weights slide over a picture of any size. It sees 12×12 pixels and steps 2 pixels; larger faces are found on the picture shrunk by 0.709 at a time (the pyramid). Red: the face probability; green: the faces R-Net confirms.",
        "В P-Net нет полносвязного слоя: её классификатор — свёртка 1×1, поэтому одни и те же веса скользят по картинке любого размера. Она видит 12×12 пикселей и шагает на 2 пикселя; лица крупнее ищутся на картинке, уменьшенной каждый раз в 0,709 раза (пирамида). Красным — вероятность лица, зелёным — лица, подтверждённые сетью R-Net.";

    // Padding modes (the menu, and the padding's tooltip).
    mode_zeros: "zeros", "нули";
    mode_reflect: "reflect", "отражение";
    mode_replicate: "replicate", "повтор края";
    mode_circular: "circular", "по кругу";
}

impl Texts {
    /// The string with key `key`, if there is one.
    pub fn get(&self, key: &str) -> Option<&'static str> {
        self.entries()
            .into_iter()
            .find(|(k, _)| *k == key)
            .map(|(_, text)| text)
    }

    /// A kernel preset's name.
    pub fn preset(&self, preset: Preset) -> &'static str {
        match preset {
            Preset::Edges => self.preset_edges,
            Preset::Blur => self.preset_blur,
            Preset::Sharpen => self.preset_sharpen,
            Preset::SobelTop => self.preset_sobel_top,
            Preset::SobelBottom => self.preset_sobel_bottom,
            Preset::SobelLeft => self.preset_sobel_left,
            Preset::SobelRight => self.preset_sobel_right,
            Preset::Identity => self.preset_identity,
            Preset::Box3 => self.preset_box3,
            Preset::Box5 => self.preset_box5,
            Preset::Box7 => self.preset_box7,
            Preset::Gaussian3 => self.preset_gaussian3,
            Preset::Gaussian5 => self.preset_gaussian5,
            Preset::Gaussian7 => self.preset_gaussian7,
            Preset::Emboss => self.preset_emboss,
            Preset::Outline => self.preset_outline,
            Preset::LectureExample => self.preset_lecture_example,
            // A preset added to the core later shows its English name until translated.
            _ => preset.label(),
        }
    }

    /// What fills the padding, in words.
    pub fn padding_mode(&self, mode: PaddingMode) -> &'static str {
        match mode {
            PaddingMode::Zeros => self.mode_zeros,
            PaddingMode::Reflect => self.mode_reflect,
            PaddingMode::Replicate => self.mode_replicate,
            PaddingMode::Circular => self.mode_circular,
        }
    }

    /// A channel's name in the arithmetic (`R`, `G`, `B` are symbols; gray is a word).
    pub fn channel(&self, name: &'static str) -> &'static str {
        if name == Channels::Gray.name() || name == "Gray" {
            self.channel_gray
        } else {
            name
        }
    }

    /// How a display mapping draws values, for the legend (without the numbers).
    pub fn display_mapping(&self, mapping: DisplayMapping) -> &'static str {
        match mapping {
            DisplayMapping::Clamp => self.display_clamp,
            DisplayMapping::Absolute => self.display_abs,
            DisplayMapping::Normalize => self.display_normalize,
            DisplayMapping::Diverging => self.display_diverging,
        }
    }
}

/// Fills `{name}` with the argument `name`, and `{name|form|forms}` with the plural form
/// for the number `name` (see the module docs). Unknown names stay as they are.
pub fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    for piece in pieces(template) {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Slot(slot) => {
                let mut parts = slot.split('|');
                let name = parts.next().unwrap_or_default();
                let forms: Vec<&str> = parts.collect();
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) if forms.is_empty() => out.push_str(&value.to_string()),
                    Some((_, value)) => out.push_str(plural(&value.to_string(), &forms)),
                    None => {
                        out.push('{');
                        out.push_str(slot);
                        out.push('}');
                    }
                }
            }
        }
    }
    out
}

/// The plural form of `forms` for `number`: English's two forms (one, other) or
/// Russian's three (1, 21 · 2–4, 22 · 5–20, 0). Fractions take the last English form
/// and the second Russian one ("2,5 пикселя").
fn plural<'a>(number: &str, forms: &[&'a str]) -> &'a str {
    let Ok(n) = number.replace('\u{2009}', "").parse::<u64>() else {
        return forms
            .get(forms.len().min(2).saturating_sub(1))
            .copied()
            .unwrap_or_default();
    };
    let index = match forms.len() {
        3 => {
            let (ten, hundred) = (n % 10, n % 100);
            if ten == 1 && hundred != 11 {
                0
            } else if (2..=4).contains(&ten) && !(12..=14).contains(&hundred) {
                1
            } else {
                2
            }
        }
        _ => usize::from(n != 1),
    };
    forms
        .get(index)
        .or(forms.last())
        .copied()
        .unwrap_or_default()
}

/// A template cut into literal text and `{slots}`.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Piece<'a> {
    Text(&'a str),
    Slot(&'a str),
}

fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        if open > 0 {
            out.push(Piece::Text(&rest[..open]));
        }
        out.push(Piece::Slot(&rest[open + 1..close]));
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

/// The names of a template's slots, in order (plural forms left out).
pub fn slot_names(template: &str) -> Vec<&str> {
    pieces(template)
        .into_iter()
        .filter_map(|p| match p {
            Piece::Slot(slot) => slot.split('|').next(),
            Piece::Text(_) => None,
        })
        .collect()
}

/// `a, b or c`, with the word `or` given.
pub fn or_list(names: &[&str], or: &str) -> String {
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_string(),
        Some((last, rest)) => format!("{} {or} {last}", rest.join(", ")),
    }
}

impl Texts {
    /// A noun of a message, said in this language: one of the core's `what` words or a
    /// URL parameter's name (a `word_` key whose English it is), or the English word
    /// itself for a noun the table does not know yet.
    pub fn noun(&self, english: &'static str) -> &'static str {
        EN.entries()
            .into_iter()
            .zip(self.entries())
            .find(|((key, en), _)| key.starts_with("word_") && *en == english)
            .map_or(english, |(_, (_, word))| word)
    }

    /// `a, b or c` in this language.
    pub fn or_list(&self, names: &[&str]) -> String {
        or_list(names, self.msg_or)
    }

    /// Where a value sits, in words.
    pub fn position(&self, at: &Position) -> String {
        match *at {
            Position::Cell { row, column } => {
                fill(self.pos_cell, &[("row", &row), ("column", &column)])
            }
            Position::Filter {
                filter,
                channel,
                row,
                column,
            } => fill(
                self.pos_filter,
                &[
                    ("filter", &filter),
                    ("channel", &channel),
                    ("row", &row),
                    ("column", &column),
                ],
            ),
            Position::OutputChannel { channel } => {
                fill(self.pos_output_channel, &[("channel", &channel)])
            }
            Position::TransposedWeight {
                input_channel,
                output_channel,
                row,
                column,
            } => fill(
                self.pos_transposed_weight,
                &[
                    ("input", &input_channel),
                    ("output", &output_channel),
                    ("row", &row),
                    ("column", &column),
                ],
            ),
            // A position added to the core later, until it has its template.
            _ => self.word_unknown_error.into(),
        }
    }

    /// One of the core's errors, said in this language. In English it is the core's own
    /// text (a test checks each variant).
    pub fn error(&self, error: &Error) -> String {
        let size = |(h, w): (usize, usize)| [("height", h), ("width", w)];
        match error {
            Error::Zero { what } => fill(self.err_zero, &[("what", &self.noun(what))]),
            Error::DataLength {
                what,
                expected,
                actual,
            } => fill(
                self.err_data_length,
                &[
                    ("what", &self.noun(what)),
                    ("expected", expected),
                    ("actual", actual),
                ],
            ),
            Error::NotFinite { what, at, value } => fill(
                self.err_not_finite,
                &[
                    ("what", &self.noun(what)),
                    ("position", &self.position(at)),
                    ("value", value),
                ],
            ),
            Error::WeightTooLarge {
                what,
                at,
                value,
                limit,
            } => fill(
                self.err_weight_too_large,
                &[
                    ("what", &self.noun(what)),
                    ("position", &self.position(at)),
                    ("value", &format!("{value:e}")),
                    ("limit", limit),
                ],
            ),
            Error::EmptyOutput {
                window,
                size,
                dilation,
                padded,
            } => {
                let dilated = Error::dilated(dilation).map_or_else(String::new, |shown| {
                    fill(
                        self.err_at_dilation,
                        &[
                            ("dilation", &shown),
                            ("covers", &by(&Error::covers(size, dilation))),
                        ],
                    )
                });
                fill(
                    self.err_empty_output,
                    &[
                        ("window", &self.noun(window)),
                        ("size", &by(size)),
                        ("dilated", &dilated),
                        ("padded", &by(padded)),
                    ],
                )
            }
            Error::Groups {
                what,
                channels,
                groups,
            } => fill(
                self.err_groups,
                &[
                    ("what", &self.noun(what)),
                    ("channels", channels),
                    ("groups", groups),
                ],
            ),
            Error::FilterChannels {
                input_channels,
                groups,
                filter_channels,
            } => fill(
                self.err_filter_channels,
                &[
                    ("channels", input_channels),
                    ("groups", groups),
                    ("per_filter", &(input_channels / (*groups).max(1))),
                    ("filters", filter_channels),
                ],
            ),
            Error::PaddingTooLarge {
                mode,
                padding,
                size,
            } => fill(
                if *mode == PaddingMode::Reflect {
                    self.err_padding_smaller
                } else {
                    self.err_padding_at_most
                },
                &[
                    ("mode", &self.padding_mode(*mode)),
                    ("padding", padding),
                    ("size", size),
                ],
            ),
            Error::PoolPaddingTooLarge { padding, window } => fill(
                self.err_pool_padding,
                &[("padding", padding), ("window", window)],
            ),
            Error::MeanPoolDilation { .. } => self.err_mean_dilation.into(),
            Error::SameNeedsStrideOne { stride } => fill(
                self.err_same_stride,
                &[("stride", &format!("{}x{}", stride.0, stride.1))],
            ),
            Error::NotDrawable { batch, channels } => fill(
                self.err_not_drawable,
                &[("shape", &format!("{batch}x{channels}"))],
            ),
            Error::RaggedRows {
                what,
                first,
                row,
                length,
            } => fill(
                self.err_ragged,
                &[
                    ("what", &self.noun(what)),
                    ("first", first),
                    ("row", row),
                    ("length", length),
                ],
            ),
            Error::TooLarge { what, size, limit } => fill(
                self.err_too_large,
                &[("what", &self.noun(what)), ("size", size), ("limit", limit)],
            ),
            Error::TensorTooLarge { shape, limit } => fill(
                self.err_tensor_too_large,
                &[("shape", &by(shape)), ("limit", limit)],
            ),
            Error::Overflow { what } => fill(self.err_overflow, &[("what", &self.noun(what))]),
            Error::CellOutside {
                what,
                size: s,
                cell,
            } => {
                let [(h, height), (w, width)] = size(*s);
                fill(
                    self.err_cell_outside,
                    &[
                        ("what", &self.noun(what)),
                        (h, &height),
                        (w, &width),
                        ("row", &cell.0),
                        ("column", &cell.1),
                    ],
                )
            }
            Error::NoLayer { layers, layer } => fill(
                self.err_no_layer,
                &[("layers", layers), ("layer", &(layer + 1))],
            ),
            Error::LayerCellOutside {
                layer,
                size: s,
                cell,
            } => {
                let [(h, height), (w, width)] = size(*s);
                fill(
                    self.err_layer_cell,
                    &[
                        ("layer", &(layer + 1)),
                        (h, &height),
                        (w, &width),
                        ("row", &cell.0),
                        ("column", &cell.1),
                    ],
                )
            }
            Error::NoChannel { channels, channel } => fill(
                self.err_no_channel,
                &[("channels", channels), ("channel", &(channel + 1))],
            ),
            Error::NoGrowth { kernel } => fill(self.err_no_growth, &[("kernel", kernel)]),
            Error::Unknown { what, name } => {
                let known = what.known();
                let (template, known) = match what {
                    Named::Kernel => (self.err_no_kernel, known.join(", ")),
                    Named::Pooling => (self.err_no_pooling, self.or_list(&known)),
                    Named::Channel => (self.err_no_channel_name, self.or_list(&known)),
                    Named::Display => (self.err_no_display, self.or_list(&known)),
                    Named::PaddingMode => (self.err_no_padding_mode, self.or_list(&known)),
                    _ => return self.word_unknown_error.into(),
                };
                fill(template, &[("name", name), ("known", &known)])
            }
            Error::NotANumber { what, at, text } => fill(
                self.err_not_a_number,
                &[
                    ("what", &self.noun(what)),
                    ("position", &self.position(at)),
                    (
                        "text",
                        &if text.is_empty() {
                            self.word_empty
                        } else {
                            text
                        },
                    ),
                ],
            ),
            Error::LayerSyntax {
                layer,
                text,
                problem,
            } => fill(
                self.err_layer,
                &[
                    ("layer", &(layer + 1)),
                    ("text", text),
                    ("why", &self.layer_problem(problem)),
                ],
            ),
            Error::FlatIntoImage { layer, pytorch } => fill(
                self.err_flat_into_image,
                &[("layer", &(layer + 1)), ("pytorch", pytorch)],
            ),
            Error::Label {
                index,
                label,
                classes,
            } => fill(
                self.err_label,
                &[
                    ("index", &(index + 1)),
                    ("label", label),
                    ("last", &classes.saturating_sub(1)),
                ],
            ),
            Error::Setting {
                what,
                value,
                low,
                high,
            } => fill(
                self.err_setting,
                &[
                    ("what", &self.noun(what)),
                    ("low", low),
                    ("high", high),
                    ("value", value),
                ],
            ),
            Error::TrainingInput { expected, actual } => fill(
                self.err_training_input,
                &[
                    ("shape", &by(&[expected.0, expected.1, expected.2])),
                    ("expected", &commas(*expected)),
                    ("actual", &commas(*actual)),
                ],
            ),
            Error::TrainingOutput { classes, actual } => fill(
                self.err_training_output,
                &[
                    ("classes", classes),
                    ("shape", &by(&[actual.0, actual.1, actual.2])),
                ],
            ),
            Error::Diverged { step, loss } => {
                fill(self.err_diverged, &[("loss", loss), ("step", step)])
            }
            Error::WeightNotFinite { index, value } => fill(
                self.err_weight_not_finite,
                &[("index", &(index + 1)), ("value", value)],
            ),
            Error::DigitIndex { index, count } => fill(
                self.err_digit_index,
                &[("index", &(index + 1)), ("count", count)],
            ),
            Error::Digits { problem } => self.digits_problem(problem),
            Error::Weights { problem } => self.weights_problem(problem),
            Error::OutputPadding {
                output_padding,
                stride,
                dilation,
            } => {
                let pair = |(a, b): (usize, usize)| format!("{a}x{b}");
                fill(
                    self.err_output_padding,
                    &[
                        ("padding", &pair(*output_padding)),
                        ("stride", &pair(*stride)),
                        ("dilation", &pair(*dilation)),
                    ],
                )
            }
            Error::CroppedAway { uncropped, cropped } => fill(
                self.err_cropped_away,
                &[
                    ("rows", &cropped.0),
                    ("columns", &cropped.1),
                    ("height", &uncropped.0),
                    ("width", &uncropped.1),
                ],
            ),
            Error::TransposedWeightChannels {
                input_channels,
                weight_channels,
            } => fill(
                self.err_transposed_weight,
                &[("input", input_channels), ("weight", weight_channels)],
            ),
            Error::WrongShape {
                what,
                expected,
                actual,
            } => fill(
                self.err_wrong_shape,
                &[
                    ("what", &self.noun(what)),
                    ("expected", &by(expected)),
                    ("actual", &by(actual)),
                ],
            ),
            Error::WindowInPadding { along, cell } => fill(
                self.err_window_in_padding,
                &[
                    (
                        "line",
                        &if *along == "height" {
                            self.word_pooled_row
                        } else {
                            self.word_pooled_column
                        },
                    ),
                    ("cell", &(cell + 1)),
                ],
            ),
            Error::LpPoolDilation { .. } => self.err_lp_dilation.into(),
            Error::LpPower { p } => fill(self.err_lp_power, &[("p", p)]),
            Error::UnpoolSize {
                asked,
                default,
                stride,
            } => {
                let pair = |(a, b): (usize, usize)| format!("{a}x{b}");
                fill(
                    self.err_unpool_size,
                    &[
                        ("asked", &pair(*asked)),
                        ("stride", &pair(*stride)),
                        ("default", &pair(*default)),
                    ],
                )
            }
            Error::DivisorNotMean { divisor } => {
                fill(self.err_divisor_not_mean, &[("divisor", divisor)])
            }
            Error::IndexOutOfPlane { index, plane } => fill(
                self.err_index_outside_plane,
                &[
                    ("index", index),
                    ("height", &plane.0),
                    ("width", &plane.1),
                    ("last", &(plane.0 * plane.1).saturating_sub(1)),
                ],
            ),
            Error::MergeShapes {
                layer,
                merge,
                first,
                other,
            } => {
                let shape = |(c, h, w): &(usize, usize, usize)| format!("{c}x{h}x{w}");
                let template = match merge {
                    convlens_core::graph::Merge::Add => self.err_merge_add,
                    convlens_core::graph::Merge::Concat => self.err_merge_concat,
                    convlens_core::graph::Merge::Scale => self.err_merge_scale,
                };
                fill(
                    template,
                    &[
                        ("layer", &(layer + 1)),
                        ("merge", &merge.pytorch()),
                        ("first", &shape(first)),
                        ("other", &shape(other)),
                    ],
                )
            }
            Error::UnalignedMerge { layer, jumps } => fill(
                self.err_unaligned_merge,
                &[("layer", &(layer + 1)), ("a", &jumps.0), ("b", &jumps.1)],
            ),
            Error::Wiring {
                layer,
                given,
                takes: (low, high),
            } => {
                let template = if low == high {
                    self.err_wiring_exact
                } else if *high == usize::MAX {
                    self.err_wiring_least
                } else {
                    self.err_wiring_range
                };
                fill(
                    template,
                    &[
                        ("layer", &(layer + 1)),
                        ("low", low),
                        ("high", high),
                        ("given", given),
                    ],
                )
            }
            Error::LaterInput { layer, input } => fill(
                self.err_later_input,
                &[("layer", &(layer + 1)), ("input", &(input + 1))],
            ),
            // An error added to the core later, until it has its template (the native
            // test that makes every error fails until then).
            _ => self.word_unknown_error.into(),
        }
    }

    fn digits_problem(&self, problem: &DigitsProblem) -> String {
        match *problem {
            DigitsProblem::NotDigits => self.err_digits_not.into(),
            DigitsProblem::Version { found } => fill(
                self.err_digits_version,
                &[("found", &found), ("version", &digits::VERSION)],
            ),
            DigitsProblem::Sizes {
                count,
                train,
                size,
                classes,
            } => fill(
                self.err_digits_sizes,
                &[
                    ("count", &count),
                    ("size", &by(&[size.0, size.1])),
                    ("train", &train),
                    ("classes", &classes),
                    ("limit", &digits::MAX_IMAGES),
                ],
            ),
            DigitsProblem::Truncated { length } => {
                fill(self.err_digits_truncated, &[("length", &length)])
            }
            DigitsProblem::Label { index, label } => fill(
                self.err_digits_label,
                &[("index", &(index + 1)), ("label", &label)],
            ),
            DigitsProblem::Pixels { expected, found } => fill(
                self.err_digits_pixels,
                &[("found", &found), ("expected", &expected)],
            ),
            DigitsProblem::Checksum { expected, found } => fill(
                self.err_digits_checksum,
                &[
                    ("found", &format!("{found:08x}")),
                    ("expected", &format!("{expected:08x}")),
                ],
            ),
            _ => self.word_unknown_error.into(),
        }
    }

    fn weights_problem(&self, problem: &WeightsProblem) -> String {
        match *problem {
            WeightsProblem::NotWeights => self.err_weights_not.into(),
            WeightsProblem::Truncated { length } => {
                fill(self.err_weights_truncated, &[("length", &length)])
            }
            WeightsProblem::Checksum { expected, found } => fill(
                self.err_weights_checksum,
                &[
                    ("found", &format!("{found:08x}")),
                    ("expected", &format!("{expected:08x}")),
                ],
            ),
            WeightsProblem::Layout { index, expected } => fill(
                self.err_weights_layout,
                &[("index", &(index + 1)), ("expected", &expected)],
            ),
            WeightsProblem::TrailingBytes { count } => {
                fill(self.err_weights_trailing, &[("count", &count)])
            }
            _ => self.word_unknown_error.into(),
        }
    }

    fn layer_problem(&self, problem: &LayerProblem) -> String {
        match problem {
            LayerProblem::MissingParenthesis => self.err_missing_parenthesis.into(),
            LayerProblem::NotWhole { text } => fill(self.err_not_whole, &[("text", text)]),
            LayerProblem::Range { what, high, value } => fill(
                self.err_from_to,
                &[("what", &self.noun(what)), ("high", high), ("value", value)],
            ),
            LayerProblem::Arguments { low, high, count } => fill(
                self.err_takes,
                &[("low", low), ("high", high), ("count", count)],
            ),
            LayerProblem::Padding { padding, limit } => fill(
                self.err_layer_padding,
                &[("padding", padding), ("limit", limit)],
            ),
            LayerProblem::UnknownLayer => fill(
                self.err_layer_names,
                &[("names", &self.or_list(&LayerProblem::LAYER_NAMES))],
            ),
            _ => self.word_unknown_error.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are the same in both languages: symbols, names and code.
    const SAME_IN_BOTH: [&str; 2] = ["tab_1d", "msg_sentence"];

    /// Strings that differ but are no words: punctuation.
    const NOT_WORDS: [&str; 1] = ["msg_quote_join"];

    #[test]
    fn every_key_has_both_languages_and_the_same_slots() {
        let (en, ru) = (EN.entries(), RU.entries());
        assert_eq!(en.len(), ru.len());
        for ((key, english), (_, russian)) in en.into_iter().zip(ru) {
            assert!(!english.trim().is_empty(), "{key} has no English");
            assert!(!russian.trim().is_empty(), "{key} has no Russian");
            if !SAME_IN_BOTH.contains(&key) {
                assert_ne!(english, russian, "{key} is not translated");
                assert!(
                    NOT_WORDS.contains(&key)
                        || russian
                            .chars()
                            .any(|c| ('а'..='я').contains(&c.to_lowercase().next().unwrap_or(c))),
                    "{key}: {russian:?} has no Russian word"
                );
            }
            let mut a = slot_names(english);
            let mut b = slot_names(russian);
            a.sort_unstable();
            a.dedup();
            b.sort_unstable();
            b.dedup();
            assert_eq!(a, b, "{key}: the slots differ");
            for (text, forms) in [(english, 2), (russian, 3)] {
                for piece in pieces(text) {
                    if let Piece::Slot(slot) = piece {
                        let count = slot.split('|').count() - 1;
                        assert!(
                            count == 0 || count == forms,
                            "{key}: {slot} needs {forms} forms"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn languages_come_from_the_url_or_the_browser() {
        assert_eq!(Lang::from_code("ru"), Some(Lang::Ru));
        assert_eq!(Lang::from_code("en"), Some(Lang::En));
        assert_eq!(Lang::from_code("de"), None);
        assert_eq!(Lang::from_browser(&["ru-RU", "en"]), Lang::Ru);
        assert_eq!(Lang::from_browser(&["RU"]), Lang::Ru);
        assert_eq!(Lang::from_browser(&["en-GB", "ru"]), Lang::En);
        assert_eq!(Lang::from_browser::<&str>(&[]), Lang::En);
        assert_eq!(Lang::from_browser(&["de"]), Lang::En);
    }

    #[test]
    fn fill_and_plurals() {
        let template = "{n} {n|pixel|pixels}";
        assert_eq!(fill(template, &[("n", &1)]), "1 pixel");
        assert_eq!(fill(template, &[("n", &3)]), "3 pixels");
        let russian = "{n} {n|пиксель|пикселя|пикселей}";
        for (n, expected) in [
            (1, "пиксель"),
            (2, "пикселя"),
            (5, "пикселей"),
            (11, "пикселей"),
            (21, "пиксель"),
            (24, "пикселя"),
        ] {
            assert_eq!(fill(russian, &[("n", &n)]), format!("{n} {expected}"));
        }
        assert_eq!(fill("{a} and {b}", &[("a", &"x")]), "x and {b}");
    }

    #[test]
    fn presets_keep_the_core_names_in_english() {
        for preset in Preset::ALL {
            assert_eq!(EN.preset(preset), preset.label());
            assert_ne!(RU.preset(preset), preset.label());
        }
    }

    /// Every error the core and the settings can produce, made for real: the English
    /// column says exactly what the core and the settings say (the command line's text),
    /// and the Russian one has no English word left.
    #[test]
    fn every_error_of_the_core_and_the_settings_is_said_in_both_languages() {
        use crate::settings::{PaddingChoice, Settings, SettingsError};
        use convlens_core::network::Architecture;
        use convlens_core::{Kernel, Tensor};
        let mut errors: Vec<SettingsError> = Vec::new();
        let mut settings = Settings::default();
        for (key, value) in [
            ("view", "x"),
            ("image", "x"),
            ("size", "7"),
            ("kernel", "x"),
            ("weights", "1,a"),
            ("weights", "1,2;3"),
            ("weights", "1e9"),
            ("weights", "1,NaN"),
            ("weights", ""),
            ("weights", &"1,".repeat(70)),
            ("stride", "0"),
            ("padding", "99"),
            ("dilation", "x"),
            ("padding_mode", "x"),
            ("channel", "x"),
            ("display", "x"),
            ("pool", "x"),
            ("pool_size", "0"),
            ("pool_stride", "0"),
            ("pool_p", "0"),
            ("pool_padding", "99"),
            ("pool_ceil", "2"),
            ("pool_dilation", "0"),
            ("pool_include_pad", "x"),
            ("pool_divisor", "0"),
            ("stack", "x"),
            ("layer", "0"),
            ("block", "x"),
            ("branches", "1,2"),
            ("planes", "0"),
            ("grid", "1,x"),
            ("grid", "1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1"),
            ("op", "x"),
            ("step", "0"),
            ("mix", "1,2"),
            ("mix", "1,x,0"),
            ("bias", "1,2"),
            ("bias", "x"),
            ("spatial", "2"),
            ("sequence", "1;2"),
            ("sequence", "a"),
            ("taps", "1,2,3,4,5,6,7,8"),
            ("tgrid", "1;1;1;1;1;1;1"),
            ("tkernel", "1,x"),
            ("tstride", "9"),
            ("output_padding", "x"),
            ("lang", "de"),
            ("controls", "nope,x"),
            ("nope", "1"),
            ("layers", "conv(0,3)"),
            ("layers", "conv(1,3"),
            ("layers", "conv(1,x)"),
            ("layers", "conv(1)"),
            ("layers", "conv(1,3,1,99)"),
            ("layers", "magic"),
            ("layers", "relu;add(2)"),
            ("layers", "flatten;conv(4,3)"),
            ("layers", "input(1,4,4);conv(1,9)"),
            ("lr", "1,5"),
            ("lr", "NaN"),
            ("optimizer", "rmsprop"),
            ("seed", "-1"),
            ("net", "input(3,28,28);flatten;linear(10)"),
            ("net", "input(1,28,28);flatten;linear(7)"),
        ] {
            if let Err(error) = settings.set(key, value) {
                errors.push(error);
            }
        }
        let (_, warnings) = Settings::from_query("stride=2&stride=0&foo=1");
        errors.extend(warnings);
        let mut core: Vec<convlens_core::Error> = Vec::new();
        let conv = |padding: PaddingChoice, stride, mode| {
            let settings = Settings {
                padding,
                stride,
                padding_mode: mode,
                dilation: 3,
                ..Settings::default()
            };
            crate::views::conv::conv_facts(&settings, 1, 4, 4).unwrap_err()
        };
        core.push(conv(PaddingChoice::Same, 2, PaddingMode::Zeros));
        core.push(conv(PaddingChoice::Pixels(1), 1, PaddingMode::Zeros));
        core.push(conv(PaddingChoice::Pixels(9), 1, PaddingMode::Reflect));
        core.push(conv(PaddingChoice::Pixels(9), 1, PaddingMode::Circular));
        core.push(Kernel::new(0, 1, vec![]).unwrap_err());
        core.push(Kernel::new(99, 1, vec![]).unwrap_err());
        core.push(Kernel::new(2, 2, vec![1.0]).unwrap_err());
        let mut kernel = Kernel::identity(3, 3).unwrap();
        core.push(kernel.set(5, 5, 1.0).unwrap_err());
        core.push(kernel.set(0, 0, 2e6).unwrap_err());
        core.push(Tensor::new(1, 2, 2, vec![1.0]).unwrap_err());
        core.push(Tensor::new(1, 9999, 9999, vec![]).unwrap_err());
        core.push(Architecture::parse(&"relu;".repeat(70)).unwrap_err());
        core.push(convlens_core::network::layers_to_cover(100, 1).unwrap_err());
        let frame = crate::pipeline::Frame {
            width: 2,
            height: 2,
            rgba: vec![0; 3],
        };
        core.push(crate::pipeline::input_tensor(&frame, Channels::All).unwrap_err());
        let one = Tensor::new(1, 2, 2, vec![0.0; 4]).unwrap();
        let mut rgba = Vec::new();
        core.push(crate::views::stack::draw_channel(&one, 3, &mut rgba).unwrap_err());
        let two = Tensor::with_batch(2, 1, 2, 2, vec![0.0; 8]).unwrap();
        core.push(
            convlens_core::image::tensor_to_rgba(&two, DisplayMapping::Clamp, &mut rgba)
                .unwrap_err(),
        );
        let mean_dilated = convlens_core::PoolParams {
            dilation: (2, 2),
            ..convlens_core::PoolParams::square(2)
        };
        core.push(
            mean_dilated
                .output_size(convlens_core::PoolFunction::Mean, 4, 4)
                .unwrap_err(),
        );
        let padded = convlens_core::PoolParams {
            padding: convlens_core::Pads::uniform(2),
            ..convlens_core::PoolParams::square(2)
        };
        let pooled = convlens_core::PoolFunction::Max;
        core.push(padded.output_size(pooled, 4, 4).unwrap_err());
        core.push(
            convlens_core::PoolParams::square(2)
                .window_cells(pooled, (4, 4), (5, 5))
                .unwrap_err(),
        );
        let layers = [convlens_core::LayerGeometry::square(3, 1, 0, 1)];
        core.push(convlens_core::input_region(&layers, 1, (0, 0), (8, 8)).unwrap_err());
        core.push(convlens_core::input_region(&layers, 0, (9, 0), (8, 8)).unwrap_err());
        let filters = Tensor::with_batch(1, 2, 3, 3, vec![0.0; 18]).unwrap();
        core.push(convlens_core::conv2d(&one, &filters, None, &Default::default()).unwrap_err());
        let mut nan = Tensor::with_batch(2, 1, 1, 1, vec![0.0; 2]).unwrap();
        nan.data_mut()[1] = f32::NAN;
        let gray = Tensor::new(1, 2, 2, vec![0.0; 4]).unwrap();
        core.push(convlens_core::conv2d(&gray, &nan, None, &Default::default()).unwrap_err());
        let unit = Tensor::with_batch(2, 1, 1, 1, vec![1.0; 2]).unwrap();
        core.push(
            convlens_core::conv2d(
                &gray,
                &unit,
                Some(&[0.0, f32::INFINITY]),
                &Default::default(),
            )
            .unwrap_err(),
        );
        core.push(
            convlens_core::ConvParams {
                groups: 2,
                ..Default::default()
            }
            .plan(
                convlens_core::Shape::new(1, 3, 4, 4).unwrap(),
                convlens_core::Shape::new(2, 1, 1, 1).unwrap(),
            )
            .unwrap_err(),
        );
        core.push(
            convlens_core::conv2d(
                &gray,
                &unit,
                None,
                &convlens_core::ConvParams {
                    padding: convlens_core::Padding::uniform(usize::MAX / 2),
                    ..Default::default()
                },
            )
            .unwrap_err(),
        );
        // Training: settings, stacks that do not fit the digits, damaged digits files.
        use convlens_core::nn::{self, digits::DigitsProblem};
        core.push(nn::cross_entropy(&[0.0; 2], &[3], 2).unwrap_err());
        let optimizer = nn::Settings {
            method: nn::Method::ADAM,
            learning_rate: 20.0,
            weight_decay: 0.0,
        };
        core.push(nn::Optimizer::new(optimizer).unwrap_err());
        for what in [
            "learning rate decay",
            "weight decay",
            "momentum",
            "beta1",
            "beta2",
            "epsilon",
            "number of epochs",
            "batch size",
            "augmentation shift",
        ] {
            core.push(convlens_core::Error::Setting {
                what,
                value: -1.0,
                low: 0.0,
                high: 1.0,
            });
        }
        core.push(convlens_core::Error::TrainingInput {
            expected: (1, 28, 28),
            actual: (3, 28, 28),
        });
        core.push(convlens_core::Error::TrainingOutput {
            classes: 10,
            actual: (7, 1, 1),
        });
        core.push(convlens_core::Error::Diverged {
            step: 12,
            loss: f32::INFINITY,
        });
        core.push(convlens_core::Error::WeightNotFinite {
            index: 3,
            value: f32::NAN,
        });
        core.push(convlens_core::Error::DigitIndex {
            index: 10_000,
            count: 10_000,
        });
        for problem in [
            DigitsProblem::NotDigits,
            DigitsProblem::Version { found: 2 },
            DigitsProblem::Sizes {
                count: 0,
                train: 1,
                size: (28, 28),
                classes: 10,
            },
            DigitsProblem::Truncated { length: 20 },
            DigitsProblem::Label {
                index: 4,
                label: 11,
            },
            DigitsProblem::Pixels {
                expected: 784,
                found: 700,
            },
            DigitsProblem::Checksum {
                expected: 1,
                found: 2,
            },
        ] {
            core.push(convlens_core::Error::Digits { problem });
        }
        // The face detector's: its weights file, its settings, its inputs.
        {
            use convlens_core::detect::{self, Mtcnn, Settings};
            for problem in [
                WeightsProblem::NotWeights,
                WeightsProblem::Truncated { length: 12 },
                WeightsProblem::Checksum {
                    expected: 1,
                    found: 2,
                },
                WeightsProblem::Layout {
                    index: 1,
                    expected: detect::weights::LAYOUT[1].0,
                },
                WeightsProblem::TrailingBytes { count: 3 },
            ] {
                core.push(convlens_core::Error::Weights { problem });
            }
            let net = Mtcnn::decode(include_bytes!("../../../www/data/mtcnn.bin")).unwrap();
            let image = Tensor::filled(convlens_core::Shape::new(1, 3, 30, 30).unwrap(), 0.0);
            for settings in [
                Settings {
                    min_face: 5.0,
                    ..Settings::default()
                },
                Settings {
                    factor: 1.0,
                    ..Settings::default()
                },
                Settings {
                    rnet_threshold: 2.0,
                    ..Settings::default()
                },
            ] {
                core.push(net.detect(&image, &settings).unwrap_err());
            }
            let grey = Tensor::filled(convlens_core::Shape::new(1, 1, 30, 30).unwrap(), 0.0);
            core.push(net.detect(&grey, &Settings::default()).unwrap_err());
            core.push(net.pnet.forward(&grey).unwrap_err());
            core.push(net.rnet.forward(&image).unwrap_err());
            core.push(detect::prelu(&image, &[0.5]).unwrap_err());
            // Template matching: a patch too large, outside the image, empty.
            let photo = Tensor::filled(convlens_core::Shape::new(1, 1, 100, 100).unwrap(), 1.0);
            let patch = detect::cut(&photo, 0, 0, 65, 10).unwrap();
            core.push(detect::Template::new(patch).unwrap_err());
            let patch = detect::cut(&photo, 0, 0, 10, 65).unwrap();
            core.push(detect::Template::new(patch).unwrap_err());
            core.push(detect::cut(&photo, 95, 0, 10, 10).unwrap_err());
            core.push(detect::cut(&photo, 0, 0, 0, 10).unwrap_err());
            core.push(detect::cut(&photo, 0, 0, 10, 0).unwrap_err());
            let batch = Tensor::filled(convlens_core::Shape::new(2, 1, 4, 4).unwrap(), 1.0);
            core.push(detect::Template::new(batch).unwrap_err());
        }
        // The transposed convolution's and the backward pass's.
        let one = |n, c, h, w| Tensor::filled(convlens_core::Shape::new(n, c, h, w).unwrap(), 1.0);
        let transposed = |params: convlens_core::ConvTransposeParams, weight: &Tensor| {
            convlens_core::conv_transpose2d(&one(1, 2, 3, 3), weight, None, &params).unwrap_err()
        };
        let stamp = one(2, 1, 3, 3);
        let plain = convlens_core::ConvTransposeParams::default();
        core.push(transposed(
            convlens_core::ConvTransposeParams {
                output_padding: (1, 0),
                ..plain
            },
            &stamp,
        ));
        core.push(transposed(
            convlens_core::ConvTransposeParams {
                padding: convlens_core::Pads::uniform(3),
                ..plain
            },
            &stamp,
        ));
        core.push(transposed(plain, &one(3, 1, 3, 3)));
        let mut nan = stamp.clone();
        nan.data_mut()[13] = f32::NAN;
        core.push(transposed(plain, &nan));
        core.push(transposed(
            convlens_core::ConvTransposeParams {
                stride: (usize::MAX, 1),
                ..plain
            },
            &stamp,
        ));
        core.push(
            convlens_core::conv2d_backward(
                &one(1, 1, 4, 4),
                &one(1, 1, 3, 3),
                &one(1, 1, 3, 3),
                &convlens_core::ConvParams::default(),
            )
            .unwrap_err(),
        );
        let dilated = convlens_core::PoolParams {
            padding: convlens_core::Pads::uniform(1),
            dilation: (2, 2),
            ..convlens_core::PoolParams::square(2)
        };
        core.push(
            convlens_core::pool2d(&one(1, 1, 1, 1), convlens_core::PoolFunction::Max, &dilated)
                .unwrap_err(),
        );
        core.push(
            convlens_core::max_pool2d_backward(&one(1, 1, 1, 1), &[9], one(1, 1, 2, 2).shape())
                .unwrap_err(),
        );
        let lp = convlens_core::PoolFunction::Lp(convlens_core::Power::TWO);
        let dilated_lp = convlens_core::PoolParams {
            dilation: (2, 2),
            ..convlens_core::PoolParams::square(2)
        };
        core.push(convlens_core::pool2d(&one(1, 1, 4, 4), lp, &dilated_lp).unwrap_err());
        core.push(convlens_core::Power::new(-1.5).unwrap_err());
        let square = convlens_core::PoolParams::square(2);
        core.push(
            convlens_core::max_unpool2d(&one(1, 1, 2, 2), &[0; 4], &square, Some((9, 4)))
                .unwrap_err(),
        );
        core.push(square.unpooled_size(usize::MAX, 1).unwrap_err());
        for divisor in [0, 3] {
            let params = convlens_core::PoolParams {
                divisor_override: Some(divisor),
                ..square
            };
            core.push(
                params
                    .output_size(convlens_core::PoolFunction::Max, 4, 4)
                    .unwrap_err(),
            );
        }
        // The graph's own errors.
        {
            use convlens_core::graph::{BlockKind, Conv, GraphBuilder, Merge, Op};
            let graph = |build: &dyn Fn(&mut GraphBuilder)| {
                let mut b = GraphBuilder::new((3, 8, 8));
                b.block(BlockKind::Conv, "x", "x");
                build(&mut b);
                b.finish("test", "Test").analyse().unwrap_err()
            };
            for merge in [Merge::Add, Merge::Concat, Merge::Scale] {
                core.push(graph(&|b| {
                    let a = b.node("a", Op::Conv(Conv::new(4, 1)), &[0]);
                    let c = b.node("c", Op::Conv(Conv::new(4, 1).stride(2)), &[0]);
                    b.node("m", Op::Merge(merge), &[a, c]);
                }));
            }
            core.push(graph(&|b| {
                let a = b.node("a", Op::Conv(Conv::new(1, 3).stride(2).padding(5)), &[0]);
                let c = b.node("c", Op::Conv(Conv::new(1, 3).padding(1)), &[0]);
                b.node("cat", Op::Merge(Merge::Concat), &[a, c]);
            }));
            core.push(graph(&|b| {
                b.node("m", Op::Merge(Merge::Scale), &[0]);
            }));
            core.push(graph(&|b| {
                b.node("m", Op::Merge(Merge::Add), &[]);
            }));
            core.push(graph(&|b| {
                b.node("r", Op::RELU, &[0, 0]);
            }));
            core.push(graph(&|b| {
                b.node("r", Op::RELU, &[5]);
            }));
        }
        errors.extend(core.into_iter().map(SettingsError::Core));
        assert!(errors.len() > 60, "{errors:#?}");
        let mut kinds = std::collections::BTreeSet::<String>::new();
        for error in &errors {
            let inner = match error {
                SettingsError::Kept { error, .. } => error,
                other => other,
            };
            kinds.insert(match inner {
                SettingsError::Core(core) => format!("core {:?}", core)
                    .split([' ', '{', '('])
                    .take(2)
                    .collect(),
                other => format!("{other:?}")
                    .split([' ', '{', '('])
                    .take(1)
                    .collect(),
            });
            assert_eq!(error.text(&EN), error.to_string(), "{error:?}");
            let russian = error.text(&RU);
            let latin = english_words(&russian);
            assert!(
                latin.is_empty(),
                "{error}\n→ {russian}\nstill has {latin:?}"
            );
        }
        assert!(
            kinds.len() >= 40,
            "only {} kinds of errors made: {kinds:?}",
            kinds.len()
        );
    }

    /// Latin words of three letters or more that are neither symbols nor names the
    /// Russian text keeps on purpose (URL values, PyTorch, units).
    fn english_words(text: &str) -> Vec<String> {
        const KEPT: &[&str] = &[
            "conv",
            "transposed",
            "detect",
            "pool",
            "steps",
            "channels",
            "stack",
            "add",
            "blocks",
            "train",
            "adam",
            "sgd",
            "rmsprop",
            "residual",
            "inception",
            "Inception",
            "dense",
            "astronaut",
            "chelsea",
            "coffee",
            "camera",
            "brick",
            "webcam",
            "full",
            "max",
            "mean",
            "min",
            "same",
            "valid",
            "spatial",
            "size",
            "lang",
            "three",
            "one",
            "deep",
            "lenet5",
            "alexnet",
            "vgg16",
            // torchvision's networks by their builders' names (URL values).
            "resnet18",
            "resnet34",
            "resnet50",
            "googlenet",
            "densenet121",
            "why",
            "custom",
            "all",
            "gray",
            "clamp",
            "abs",
            "normalize",
            "diverging",
            "zeros",
            "reflect",
            "replicate",
            "circular",
            "PyTorch",
            "NaN",
            "groups",
        ];
        const KEPT_TOO: &[&str] = &[
            "inf",
            "input",
            "relu",
            "avgpool",
            "flatten",
            "linear",
            "nope",
            "magic",
            "blur",
            "AvgPool2d",
            "LPPool2d",
            "Conv2d",
            "RGBA",
            "foo",
            "CLDIGITS",
            // The face detector's file, its networks and a tensor's name in it.
            "CLMTCNN1",
            "Net",
            "PReLU",
            "pnet",
            "conv1",
            "bias",
            // The graph's merges as PyTorch writes them.
            "torch",
            "cat",
            "inputs",
            "scale",
        ];
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 3)
            .filter(|w| !w.contains('_'))
            .filter(|w| !KEPT.contains(w) && !KEPT_TOO.contains(w))
            .filter(|w| !crate::settings::parameters().contains(w))
            // Kernel names in the URL (`sobel-left`), listed by the core's message.
            .filter(|w| {
                !Preset::ALL
                    .iter()
                    .any(|p| p.slug().split('-').any(|part| part == *w))
            })
            .filter(|w| !w.chars().next().is_some_and(|c| c.is_ascii_digit()))
            .map(str::to_string)
            .collect()
    }

    /// `index.html` names only keys of the table, and its English fallback text (shown
    /// before the module starts) is the table's English.
    #[test]
    fn the_page_names_only_known_keys_and_its_fallback_is_the_english_column() {
        let html = include_str!("../../../www/index.html");
        let mut checked = 0;
        for (at, _) in html.match_indices("data-i18n=\"") {
            let rest = &html[at + "data-i18n=\"".len()..];
            let key = &rest[..rest.find('"').unwrap()];
            let english = EN.get(key).unwrap_or_else(|| panic!("no key {key}"));
            // The element's first text: after the end of its opening tag, up to the next tag.
            let text = &rest[rest.find('>').unwrap() + 1..];
            let text = &text[..text.find('<').unwrap()];
            let text = text.replace("&amp;", "&");
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(text, english, "the fallback of {key}");
            checked += 1;
        }
        for (at, _) in html.match_indices("data-i18n-attr=\"") {
            let rest = &html[at + "data-i18n-attr=\"".len()..];
            for pair in rest[..rest.find('"').unwrap()].split_whitespace() {
                let (attribute, key) = pair.split_once(':').unwrap();
                let english = EN.get(key).unwrap_or_else(|| panic!("no key {key}"));
                let tag_start = html[..at].rfind('<').unwrap();
                let tag = &html[tag_start..at + rest.find('>').unwrap()];
                let written = format!("{attribute}=\"{english}\"");
                assert!(tag.contains(&written), "{tag} should have {written}");
                checked += 1;
            }
        }
        assert!(checked > 100, "only {checked} strings checked");
    }
}
