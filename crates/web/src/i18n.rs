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
//! - Messages (errors and notices) are made in English, the language of the URL and of
//!   the core crate's errors, and translated when shown by [`message`]: it recognises
//!   the English of a `msg_` key (its `{name}`s matched against the text) and fills the
//!   Russian, translating the parts named in [`TRANSLATED_PARTS`] again (a `word_` key,
//!   or another message). A page showing stored English can therefore re-translate on a
//!   language switch, and the core stays free of any dependency.
//! - The page runs on one thread, so the language in use is a thread-local ([`set`],
//!   [`t`]); it starts as English, which the native tests and the test oracle rely on.

use std::cell::Cell;
use std::fmt::Display;

use convlens_core::{Channels, DisplayMapping, PaddingMode, Preset};

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
    tab_channels: "Channels & 1×1", "Каналы и 1×1";
    tab_stack: "Layer stack", "Стек слоёв";
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
    image_astronaut: "Astronaut (512×512)", "Астронавт (512×512)";
    image_chelsea: "Cat (451×300)", "Кошка (451×300)";
    image_coffee: "Coffee (600×400)", "Кофе (600×400)";
    image_camera: "Cameraman, gray (512×512)", "Оператор, серое (512×512)";
    image_brick: "Brick wall, gray (512×512)", "Кирпичная стена, серое (512×512)";
    image_webcam: "Webcam (live)", "Веб-камера (вживую)";
    open_image: "Open image…", "Открыть изображение…";
    freeze_frame: "Freeze frame", "Заморозить кадр";
    frame_meter: "Frame meter", "Счётчик кадров";
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
    parameters: "Parameters", "Параметры";
    operations: "Operations", "Операции";
    in_pytorch: "In PyTorch", "В PyTorch";
    steps_hint: "Type a number in a cell, or choose “paint” and drag over cells. Hatched cells are padding.",
        "Введите число в ячейку или выберите «рисовать» и проведите по ячейкам. Заштрихованные ячейки — отступ.";
    output: "Output", "Выход";
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
    input_caption: "{label}: {width}×{height} pixels, 3 channels (R, G, B)",
        "{label}: {width}×{height} пикселей, 3 канала (R, G, B)";
    legend_clamp: "drawn as clamp(round(v), 0, 255): negatives black",
        "показано как clamp(round(v), 0, 255): отрицательные чёрные";
    legend_abs: "drawn as clamp(round(|v|), 0, 255)", "показано как clamp(round(|v|), 0, 255)";
    legend_normalize: "drawn stretched: {low} → 0, {high} → 255",
        "показано растянутым: {low} → 0, {high} → 255";
    legend_diverging: "blue −{largest} · white 0 · red +{largest}",
        "синий −{largest} · белый 0 · красный +{largest}";
    legend_diverging_channels: "per channel: gray 128 is 0, ±{largest} the extremes",
        "по каналам: серый 128 — это 0, ±{largest} — крайние значения";
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
    maps_note: "{shown} of {total} channels, {height}×{width} each, every map stretched to black…white on its own.",
        "{shown} из {total} {total|канала|каналов|каналов}, каждый {height}×{width}, каждая карта растянута до чёрного…белого отдельно.";
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
    feature_map_aria: "Feature map of {width}×{height} cells", "Карта признаков из {width}×{height} ячеек";
    pooled_map_aria: "Pooled map of {width}×{height} cells", "Карта после пулинга из {width}×{height} ячеек";

    // Shortcuts.
    shortcut_help: "show or hide this list", "показать или скрыть этот список";
    shortcut_next_kernel: "next kernel", "следующее ядро";
    shortcut_previous_kernel: "previous kernel", "предыдущее ядро";
    shortcut_stride: "stride 1 → 2 → 3", "шаг 1 → 2 → 3";
    shortcut_padding: "padding 0 → 1 → same → valid", "отступ 0 → 1 → same → valid";
    shortcut_dilation: "dilation 1 → 2 → 3", "расширение 1 → 2 → 3";
    shortcut_channels: "channels all → R → G → B → gray", "каналы все → R → G → B → серый";
    shortcut_conv: "convolution", "свёртка";
    shortcut_pool: "pooling", "пулинг";
    shortcut_steps: "step by step", "шаг за шагом";
    shortcut_1d: "1D", "1D";
    shortcut_channels_view: "channels and 1×1", "каналы и 1×1";
    shortcut_stack: "layer stack", "стек слоёв";
    shortcut_play: "play or pause the steps", "запустить или остановить шаги";
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
    field_window: "each output cell sees a {height}×{width} window of the input",
        "каждая выходная ячейка видит окно входа {height}×{width}";
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
    architecture_counted: "{parameters} parameters; receptive field {field}",
        "{parameters} параметров; рецептивное поле {field}";
    oned_parameters: "The convolution has {taps} weights, shared by all {outputs} outputs. A fully connected layer from {inputs} inputs to {outputs} outputs has {outputs} × {inputs} = {weights} weights: the matrix below is that layer, with {shared} entries holding the shared weights and {zeros} zeros.",
        "У свёртки {taps} {taps|вес|веса|весов}, общих для всех {outputs} выходов. Полносвязный слой из {inputs} входов в {outputs} выходов имеет {outputs} × {inputs} = {weights} весов: матрица ниже — это такой слой, где {shared} элементов хранят общие веса, а {zeros} равны нулю.";
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

    // Messages, made in English and translated when shown (see the module docs).
    msg_sentence: "{why}.", "{why}.";
    msg_went_wrong: "Something went wrong: {why}", "Что-то пошло не так: {why}";
    msg_bug: "The demo hit a bug and stopped: {detail}. Reload the page to start again.",
        "В демо ошибка, и оно остановилось: {detail}. Перезагрузите страницу, чтобы начать заново.";
    msg_one_number: "type one number per cell", "введите одно число в ячейку";
    msg_last_valid_kernel: "{why}. The last valid kernel is still in use.",
        "{why}. Используется последнее верное ядро.";
    msg_last_valid_output: "{why}. The last valid output is still shown.",
        "{why}. Показан последний верный результат.";
    msg_grid_cell: "the grid cell at row {row}, column {column} ({cell}) is not a number; the grid keeps its last valid values",
        "ячейка сетки в строке {row}, столбце {column} ({cell}) — не число; сетка сохраняет последние верные значения";
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
    msg_scaled_down: "'{name}' is {width}×{height}: it was scaled down to {scaled_width}×{scaled_height} to keep the demo responsive.",
        "«{name}» размером {width}×{height}: уменьшено до {scaled_width}×{scaled_height}, чтобы демо не тормозило.";
    msg_no_canvas: "this browser gives no 2D canvas", "этот браузер не даёт 2D-холст";
    msg_no_window: "no window: the page must run in a browser", "нет окна: страница должна работать в браузере";
    msg_photo: "Photo '{what}'", "Фото «{what}»";
    msg_your_image: "Your image '{name}'", "Ваше изображение «{name}»";
    msg_webcam: "Webcam", "Веб-камера";
    // From the settings (the URL and the controls).
    msg_kept: "{why} (kept {value})", "{why} (оставлено {value})";
    msg_no_view: "there is no view '{value}'; use conv, pool, steps, 1d, channels or stack",
        "нет вида «{value}»; возможны conv, pool, steps, 1d, channels или stack";
    msg_no_image: "there is no image '{value}'; use astronaut, chelsea, coffee, camera, brick or webcam",
        "нет изображения «{value}»; возможны astronaut, chelsea, coffee, camera, brick или webcam";
    msg_size: "size must be full, 256, 128, 64 or 32, not '{value}'",
        "размер (size) может быть full, 256, 128, 64 или 32, а не «{value}»";
    msg_grid_at_most: "the grid can be at most {height}×{width}", "сетка может быть не больше {height}×{width}";
    msg_no_operation: "there is no operation '{value}'; use conv, max or mean",
        "нет операции «{value}»; возможны conv, max или mean";
    msg_mix_rows: "the mixing weights need one row per output channel (at most 4), each with 3 numbers: for R, G and B",
        "весам смешивания нужна одна строка на выходной канал (не больше 4), в каждой 3 числа: для R, G и B";
    msg_bias_one: "the bias is one number", "смещение — это одно число";
    msg_spatial: "spatial must be 0 or 1, not '{value}'", "spatial может быть 0 или 1, а не «{value}»";
    msg_one_row: "the {what} must be one row of at most {limit} numbers, separated by commas",
        "{what}: нужна одна строка не более чем из {limit} чисел через запятую";
    msg_unknown_parameter: "the parameter '{key}' is not known and was ignored",
        "параметр «{key}» неизвестен и пропущен";
    msg_repeated_parameter: "the parameter '{key}' is given more than once; the last value is used",
        "параметр «{key}» указан несколько раз; используется последнее значение";
    msg_whole_number: "{what} must be a whole number from {low} to {high}, not '{value}'",
        "{what}: нужно целое число от {low} до {high}, а не «{value}»";
    msg_no_stack: "there is no stack '{value}'; use three-3x3, one-7x7, deep-3x3, lenet5, alexnet, vgg16 or custom",
        "нет стека «{value}»; возможны three-3x3, one-7x7, deep-3x3, lenet5, alexnet, vgg16 или custom";
    msg_lang: "lang must be en or ru, not '{value}'", "язык (lang) может быть en или ru, а не «{value}»";
    // From the core crate's errors (a native test makes each and checks it is recognised).
    msg_zero: "the {what} must be at least 1", "{what}: нужно значение не меньше 1";
    msg_data_length: "the {what} needs {expected} values but has {actual}",
        "{what}: нужно {expected} {expected|значение|значения|значений}, а дано {actual}";
    msg_not_finite: "the {what} at {position} is {value}: every value must be a finite number",
        "{what} ({position}) — {value}: каждое значение должно быть конечным числом";
    msg_empty_output: "the effective {window} ({detail}) is larger than the padded input ({padded}): the output would be empty",
        "эффективный размер окна ({window}: {detail}) больше входа с отступом ({padded}): выход был бы пустым";
    msg_at_dilation: "{size} at dilation {dilation} covers {covers}", "{size} при расширении {dilation} охватывает {covers}";
    msg_groups: "{channels} {what} cannot be split into {groups} equal groups: the number of {what} must be a multiple of groups",
        "{channels} ({what}) нельзя разделить на {groups} равных групп: это число должно делиться на groups";
    msg_same_stride: "padding 'same' keeps the size only at stride 1 (here {stride}); PyTorch refuses it too: choose a number instead",
        "отступ 'same' сохраняет размер только при шаге 1 (здесь {stride}); PyTorch тоже его не принимает: выберите число";
    msg_too_large: "{what} is too large: the limit is {limit}", "{what} — слишком много, предел {limit}";
    msg_tensor_of: "a tensor of {shape} values", "тензор из {shape} значений";
    msg_stack_of: "a stack of {layers} layers", "стек из {layers} слоёв";
    msg_side_of: "a {what} of {side}", "{what} в {side}";
    msg_flat_vector: "layer {layer} ({pytorch}) needs an image, but gets a flat vector",
        "слою {layer} ({pytorch}) нужно изображение, а он получает плоский вектор";
    msg_mean_dilation: "mean pooling has no dilation (PyTorch's AvgPool2d takes none): set dilation to 1",
        "у пулинга по среднему нет расширения (AvgPool2d в PyTorch его не принимает): поставьте расширение 1";
    msg_draw_channels: "only one image of 1 or 3 channels can be drawn, not {shape}",
        "нарисовать можно только одно изображение из 1 или 3 каналов, а не {shape}";
    msg_ragged_rows: "every row of the {what} must have the same length: row 1 has {width} values but row {row} has {length}",
        "{what}: все строки должны быть одной длины, но в строке 1 {width} {width|значение|значения|значений}, а в строке {row} — {length}";
    msg_filter_channels: "each filter must have one kernel per input channel of its group: the input has {channels} channels in {groups} group(s), so {per_filter} per filter, but the filters have {filters}",
        "у каждого фильтра должно быть по ядру на входной канал его группы: у входа {channels} каналов в {groups} группах, значит {per_filter} на фильтр, а у фильтров {filters}";
    msg_pool_padding: "pooling padding of {pad} is more than half the window ({side}): a window could then hold only padding",
        "отступ пулинга {pad} больше половины окна ({side}): окно могло бы попасть целиком в отступ";
    msg_mode_padding_smaller: "{what} padding of {pad} pixels must be smaller than the input's size along that axis ({size} pixels)",
        "отступ «{what}» в {pad} пикс. должен быть меньше размера входа по этой оси ({size} пикс.)";
    msg_mode_padding_at_most: "{what} padding of {pad} pixels must be at most the input's size along that axis ({size} pixels)",
        "отступ «{what}» в {pad} пикс. должен быть не больше размера входа по этой оси ({size} пикс.)";
    msg_kernel_cell: "the kernel has {height} rows and {width} columns; there is no cell at row {row}, column {column}",
        "у ядра {height} {height|строка|строки|строк} и {width} {width|столбец|столбца|столбцов}; ячейки в строке {row}, столбце {column} нет";
    msg_weight_range: "the {what} at {position} is {value}: weights must lie between -{max} and {max}",
        "{what} ({position}) — {value}: веса должны лежать между -{max} и {max}";
    msg_pooled_cell: "the pooled map is {height}x{width}; there is no cell at row {row}, column {column}",
        "карта после пулинга {height}x{width}; ячейки в строке {row}, столбце {column} нет";
    msg_map_cell: "the map is {height}×{width}; there is no cell at row {row}, column {column}",
        "карта {height}×{width}; ячейки в строке {row}, столбце {column} нет";
    msg_no_layer: "the stack has {layers} layers; there is no layer {layer}", "в стеке {layers} {layers|слой|слоя|слоёв}; слоя {layer} нет";
    msg_layer_cell: "layer {layer} outputs {height}x{width} cells; there is no cell at row {row}, column {column}",
        "слой {layer} выдаёт карту {height}x{width}; ячейки в строке {row}, столбце {column} нет";
    msg_one_by_one: "a 1x1 kernel never grows the receptive field", "ядро 1x1 никогда не увеличивает рецептивное поле";
    msg_layer_channels: "the layer has {channels} channels, not {channel}", "у слоя {channels} {channels|канал|канала|каналов}, а не {channel}";
    msg_no_pooling: "there is no pooling called '{value}'; use max, mean or min", "нет пулинга «{value}»; возможны max, mean или min";
    msg_no_channel: "there is no channel called '{value}'; use all, r, g, b or gray",
        "нет канала «{value}»; возможны all, r, g, b или gray";
    msg_no_display: "there is no display called '{value}'; use clamp, abs, normalize or diverging",
        "нет способа показа «{value}»; возможны clamp, abs, normalize или diverging";
    msg_not_a_number: "the {what} cell at row {row}, column {column} ({cell}) is not a number",
        "{what}: ячейка в строке {row}, столбце {column} ({cell}) — не число";
    msg_no_kernel: "there is no kernel called '{value}'; known kernels: {known}", "нет ядра «{value}»; известные ядра: {known}";
    msg_no_padding_mode: "there is no padding mode called '{value}'; use zeros, reflect, replicate or circular",
        "нет режима отступа «{value}»; возможны zeros, reflect, replicate или circular";
    msg_layer: "layer {layer} ('{text}'): {why}", "слой {layer} («{text}»): {why}";
    msg_missing_parenthesis: "a ')' is missing", "не хватает ')'";
    msg_not_whole: "'{value}' is not a whole number", "«{value}» — не целое число";
    msg_from_to: "the {what} must be from 1 to {high}, not {value}", "{what}: нужно от 1 до {high}, а не {value}";
    msg_takes: "takes {low} to {high} numbers, not {count}", "нужно от {low} до {high} чисел, а не {count}";
    msg_layer_padding: "the padding must be at most 64, not {padding}", "отступ должен быть не больше 64, а не {padding}";
    msg_layer_names: "use input, conv, relu, max, mean, avgpool, flatten or linear",
        "возможны input, conv, relu, max, mean, avgpool, flatten или linear";
    msg_row_column: "row {row}, column {column}", "строка {row}, столбец {column}";
    msg_output_channel_position: "output channel {channel}", "выходной канал {channel}";

    // Words inside messages (what a number is, which window): translated exactly.
    word_stride: "stride", "шаг";
    word_dilation: "dilation", "расширение";
    word_padding: "padding", "отступ";
    word_pool_size: "pool_size", "размер окна пулинга";
    word_pool_stride: "pool_stride", "шаг пулинга";
    word_layer: "layer", "номер слоя";
    word_step: "step", "позиция";
    word_kernel: "kernel", "ядро";
    word_grid: "grid", "сетка";
    word_mixing: "mixing", "смешивание";
    word_bias_word: "bias", "смещение";
    word_sequence: "sequence", "последовательность";
    word_one_d_kernel: "1D kernel", "одномерное ядро";
    word_empty: "empty", "пусто";
    word_kernel_height: "kernel height", "высота ядра";
    word_kernel_width: "kernel width", "ширина ядра";
    word_kernel_size: "kernel size", "размер ядра";
    word_kernel_weight: "kernel weight", "вес ядра";
    word_grid_weight: "grid weight", "значение сетки";
    word_mixing_weight: "mixing weight", "вес смешивания";
    word_sequence_weight: "sequence weight", "значение последовательности";
    word_one_d_kernel_weight: "1D kernel weight", "вес одномерного ядра";
    word_bias_weight: "bias weight", "смещение";
    word_pooling_window: "pooling window", "окно пулинга";
    word_pooling_height: "pooling window height", "высота окна пулинга";
    word_pooling_width: "pooling window width", "ширина окна пулинга";
    word_input_channels_count: "number of input channels", "число входных каналов";
    word_output_channels_count: "number of output channels", "число выходных каналов";
    word_groups_count: "number of groups", "число групп";
    word_batch_size: "batch size", "размер батча";
    word_channels_count: "number of channels", "число каналов";
    word_height: "height", "высота";
    word_width: "width", "ширина";
    word_rows_count: "number of rows", "число строк";
    word_columns_count: "number of columns", "число столбцов";
    word_input_size: "input size", "размер входа";
    word_object_size: "object size", "размер объекта";
    word_adaptive_height: "adaptive pooling height", "высота адаптивного пулинга";
    word_adaptive_width: "adaptive pooling width", "ширина адаптивного пулинга";
    word_output_features: "number of output features", "число выходных признаков";
    word_tensor: "tensor", "тензор";
    word_rgba_frame: "RGBA frame (4 bytes per pixel)", "кадр RGBA (4 байта на пиксель)";
    word_bias_per_channel: "bias (one value per output channel)", "смещение (одно значение на выходной канал)";
    word_input_channels: "input channels", "входных каналов";
    word_output_channels: "output channels", "выходных каналов";
    word_the_layer: "the layer", "слой";
    word_padded_input: "the padded input", "вход с отступом";
    word_the_receptive_field: "the receptive field", "рецептивное поле";
    word_the_count: "the count", "счёт";
    word_the_padding: "the padding", "отступ";
    word_channels: "channels", "число каналов";
    word_filters: "number of filters", "число фильтров";
    word_window: "window", "окно";
    word_outputs: "number of outputs", "число выходов";
    word_reflect: "reflect", "отражение";
    word_circular: "circular", "по кругу";
    word_unknown_error: "unknown error", "неизвестная ошибка";
    word_astronaut: "astronaut", "астронавт";
    word_chelsea: "chelsea", "кошка Челси";
    word_coffee: "coffee", "кофе";
    word_camera: "camera", "оператор";
    word_brick: "brick", "кирпичи";

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

/// Parts of a message that are themselves translated: words, or other messages. The
/// others (numbers, quoted user text, URL values) are kept as they are.
pub const TRANSLATED_PARTS: [&str; 6] = ["what", "why", "window", "detail", "position", "cell"];

/// A message made in English (see the module docs), in the language in use.
pub fn message(english: &str) -> String {
    message_in(current(), english)
}

/// A message made in English, in `lang`: recognised and translated, or, if no `msg_`
/// key matches it, as it is.
pub fn message_in(lang: Lang, english: &str) -> String {
    if lang == Lang::En || english.is_empty() {
        return english.to_string();
    }
    translate(lang.texts(), english, 0).unwrap_or_else(|| english.to_string())
}

/// `english` translated into `texts`, if some `msg_` or `word_` key matches it.
fn translate(texts: &Texts, english: &str, depth: usize) -> Option<String> {
    if let Some(word) = EN
        .entries()
        .into_iter()
        .zip(texts.entries())
        .find(|((key, en), _)| key.starts_with("word_") && *en == english)
        .map(|(_, (_, word))| word)
    {
        return Some(word.to_string());
    }
    if depth > 6 {
        return None;
    }
    // The most specific match (the most literal text) wins over `{why}.` and the like.
    let (template, captured) = EN
        .entries()
        .into_iter()
        .zip(texts.entries())
        .filter(|((key, _), _)| key.starts_with("msg_"))
        .filter_map(|((_, en), (_, translated))| {
            let captured = capture(&pieces(en), english)?;
            let literal: usize = pieces(en)
                .iter()
                .map(|p| match p {
                    Piece::Text(text) => text.len(),
                    Piece::Slot(_) => 0,
                })
                .sum();
            Some((literal, translated, captured))
        })
        .max_by_key(|(literal, _, _)| *literal)
        .map(|(_, translated, captured)| (translated, captured))?;
    let values: Vec<(&str, String)> = captured
        .into_iter()
        .map(|(name, value)| {
            let value = if TRANSLATED_PARTS.contains(&name) {
                translate(texts, &value, depth + 1).unwrap_or(value)
            } else {
                value
            };
            (name, value)
        })
        .collect();
    let args: Vec<(&str, &dyn Display)> = values
        .iter()
        .map(|(name, value)| (*name, value as &dyn Display))
        .collect();
    Some(fill(template, &args))
}

/// Matches `text` against a template's pieces; each slot takes at least one character
/// (the shortest that lets the rest match). Gives the slots' values by name.
fn capture<'a>(template: &[Piece<'a>], text: &str) -> Option<Vec<(&'a str, String)>> {
    match template.split_first() {
        None => text.is_empty().then(Vec::new),
        Some((Piece::Text(literal), rest)) => capture(rest, text.strip_prefix(literal)?),
        Some((Piece::Slot(slot), rest)) => {
            let name = slot.split('|').next().unwrap_or_default();
            let ends: Vec<usize> = match rest.first() {
                None => vec![text.len()],
                Some(Piece::Text(next)) => text
                    .match_indices(next)
                    .map(|(at, _)| at)
                    .filter(|&at| at > 0)
                    .collect(),
                // Two slots in a row: not used by the table.
                Some(Piece::Slot(_)) => return None,
            };
            ends.into_iter().find_map(|end| {
                let value = &text[..end];
                if value.is_empty() {
                    return None;
                }
                let mut captured = capture(rest, &text[end..])?;
                // A name used twice must be the same text both times.
                if captured.iter().any(|(n, v)| *n == name && v != value) {
                    return None;
                }
                captured.insert(0, (name, value.to_string()));
                Some(captured)
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings that are the same in both languages: symbols, names and code.
    const SAME_IN_BOTH: [&str; 3] = ["tab_1d", "shortcut_1d", "msg_sentence"];

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
                    russian
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

    #[test]
    fn messages_are_recognised_and_translated() {
        let ru = |english: &str| message_in(Lang::Ru, english);
        assert_eq!(
            ru("stride must be a whole number from 1 to 16, not '0' (kept 1)"),
            "шаг: нужно целое число от 1 до 16, а не «0» (оставлено 1)"
        );
        assert_eq!(
            ru("the effective kernel (7x7 at dilation 2 covers 13x13) is larger than the padded input (10x10): the output would be empty. The last valid output is still shown."),
            "эффективный размер окна (ядро: 7x7 при расширении 2 охватывает 13x13) больше входа с отступом (10x10): выход был бы пустым. Показан последний верный результат."
        );
        assert_eq!(
            ru("layer 2 ('conv(0,3)'): the number of filters must be from 1 to 4096, not 0"),
            "слой 2 («conv(0,3)»): число фильтров: нужно от 1 до 4096, а не 0"
        );
        assert_eq!(message_in(Lang::En, "anything"), "anything");
        // Unknown text stays as it is rather than being lost.
        assert_eq!(ru("xyz"), "xyz");
    }

    /// Every error the core and the settings can produce, made for real, is recognised.
    #[test]
    fn every_error_of_the_core_and_the_settings_is_translated() {
        use crate::settings::Settings;
        use convlens_core::network::Architecture;
        use convlens_core::{Kernel, Tensor};
        let mut errors: Vec<String> = Vec::new();
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
            ("stride", "0"),
            ("padding", "99"),
            ("dilation", "x"),
            ("padding_mode", "x"),
            ("channel", "x"),
            ("display", "x"),
            ("pool", "x"),
            ("pool_size", "0"),
            ("pool_stride", "0"),
            ("stack", "x"),
            ("layer", "0"),
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
            ("lang", "de"),
            ("nope", "1"),
            ("layers", "conv(0,3)"),
            ("layers", "conv(1,3"),
            ("layers", "conv(1,x)"),
            ("layers", "conv(1)"),
            ("layers", "conv(1,3,1,99)"),
            ("layers", "magic"),
            ("layers", "flatten;conv(4,3)"),
            ("layers", "input(1,4,4);conv(1,9)"),
        ] {
            if let Err(error) = settings.set(key, value) {
                errors.push(error);
            }
        }
        let (_, warnings) = Settings::from_query("stride=2&stride=0&foo=1");
        errors.extend(warnings);
        let conv = |padding: crate::settings::PaddingChoice, stride, mode| {
            let settings = Settings {
                padding,
                stride,
                padding_mode: mode,
                dilation: 3,
                ..Settings::default()
            };
            crate::pipeline::conv_facts(&settings, 1, 4, 4)
                .unwrap_err()
                .to_string()
        };
        use crate::settings::PaddingChoice;
        errors.push(conv(PaddingChoice::Same, 2, PaddingMode::Zeros));
        errors.push(conv(PaddingChoice::Pixels(1), 1, PaddingMode::Zeros));
        errors.push(conv(PaddingChoice::Pixels(9), 1, PaddingMode::Reflect));
        errors.push(conv(PaddingChoice::Pixels(9), 1, PaddingMode::Circular));
        errors.push(Kernel::new(0, 1, vec![]).unwrap_err().to_string());
        errors.push(Kernel::new(99, 1, vec![]).unwrap_err().to_string());
        errors.push(Kernel::new(2, 2, vec![1.0]).unwrap_err().to_string());
        let mut kernel = Kernel::identity(3, 3).unwrap();
        errors.push(kernel.set(5, 5, 1.0).unwrap_err().to_string());
        errors.push(Tensor::new(1, 2, 2, vec![1.0]).unwrap_err().to_string());
        errors.push(Tensor::new(1, 9999, 9999, vec![]).unwrap_err().to_string());
        errors.push(
            Architecture::parse(&"relu;".repeat(70))
                .unwrap_err()
                .to_string(),
        );
        errors.push(
            convlens_core::network::layers_to_cover(100, 1)
                .unwrap_err()
                .to_string(),
        );
        let frame = crate::pipeline::Frame {
            width: 2,
            height: 2,
            rgba: vec![0; 3],
        };
        errors.push(
            crate::pipeline::input_tensor(&frame, Channels::All)
                .unwrap_err()
                .to_string(),
        );
        let one = Tensor::new(1, 2, 2, vec![0.0; 4]).unwrap();
        let mut rgba = Vec::new();
        errors.push(
            crate::pipeline::draw_channel(&one, 3, &mut rgba)
                .unwrap_err()
                .to_string(),
        );
        let mean_dilated = convlens_core::PoolParams {
            dilation: (2, 2),
            ..convlens_core::PoolParams::square(2)
        };
        errors.push(
            mean_dilated
                .output_size(convlens_core::PoolFunction::Mean, 4, 4)
                .unwrap_err()
                .to_string(),
        );
        let padded = convlens_core::PoolParams {
            padding: (2, 2),
            ..convlens_core::PoolParams::square(2)
        };
        errors.push(
            padded
                .output_size(convlens_core::PoolFunction::Max, 4, 4)
                .unwrap_err()
                .to_string(),
        );
        assert!(errors.len() > 50, "{errors:#?}");
        for english in errors {
            let russian = message_in(Lang::Ru, &english);
            assert_ne!(russian, english, "not recognised: {english}");
            let latin = english_words(&russian);
            assert!(
                latin.is_empty(),
                "{english}\n→ {russian}\nstill has {latin:?}"
            );
        }
    }

    /// Latin words of three letters or more that are neither symbols nor names the
    /// Russian text keeps on purpose (URL values, PyTorch, units).
    fn english_words(text: &str) -> Vec<String> {
        const KEPT: [&str; 40] = [
            "conv",
            "pool",
            "steps",
            "channels",
            "stack",
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
        const KEPT_TOO: [&str; 12] = [
            "input",
            "relu",
            "avgpool",
            "flatten",
            "linear",
            "nope",
            "magic",
            "blur",
            "AvgPool2d",
            "Conv2d",
            "RGBA",
            "foo",
        ];
        text.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
            .filter(|w| w.chars().filter(char::is_ascii_alphabetic).count() >= 3)
            .filter(|w| !w.contains('_'))
            .filter(|w| !KEPT.contains(w) && !KEPT_TOO.contains(w))
            .filter(|w| !crate::settings::PARAMETERS.contains(w))
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
