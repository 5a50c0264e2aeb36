//! The `convlens` binary, run as a lecturer runs it: PNG in, PNG out, tables printed,
//! and every mistake a message with exit status 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use convlens_core::image::{rgba_to_tensor, tensor_to_rgba};
use convlens_core::{
    depthwise_conv2d, pool2d, Channels, ConvParams, DisplayMapping, Padding, PaddingMode,
    PoolFunction, PoolParams, Preset,
};

const BINARY: &str = env!("CARGO_BIN_EXE_convlens");

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../www/samples")
}

/// A fresh folder for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("convlens-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

fn run(arguments: &[&str]) -> Output {
    Command::new(BINARY)
        .args(arguments)
        .output()
        .expect("the convlens binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// An image as `(width, height, rgba)`.
type Rgba = (usize, usize, Vec<u8>);

/// Decodes a PNG to 8-bit RGBA with the png crate directly (not the tool's reader).
fn decode(path: &Path) -> Rgba {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("the PNG opens"));
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("a PNG header");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a decodable size")];
    let info = reader.next_frame(&mut buffer).expect("the pixels decode");
    buffer.truncate(info.buffer_size());
    let (width, height) = (info.width as usize, info.height as usize);
    let rgba = match info.color_type {
        png::ColorType::Rgba => buffer,
        png::ColorType::Rgb => buffer
            .chunks_exact(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect(),
        png::ColorType::Grayscale => buffer.iter().flat_map(|&v| [v, v, v, 255]).collect(),
        other => panic!("unexpected colour type {other:?}"),
    };
    (width, height, rgba)
}

/// Writes a PNG of any colour type and depth from raw samples.
fn encode(
    path: &Path,
    (width, height): (u32, u32),
    colour: png::ColorType,
    depth: png::BitDepth,
    palette: Option<Vec<u8>>,
    data: &[u8],
) {
    let file =
        std::io::BufWriter::new(std::fs::File::create(path).expect("the PNG can be created"));
    let mut encoder = png::Encoder::new(file, width, height);
    encoder.set_color(colour);
    encoder.set_depth(depth);
    if let Some(palette) = palette {
        encoder.set_palette(palette);
    }
    let mut writer = encoder.write_header().expect("a valid PNG header");
    writer
        .write_image_data(data)
        .expect("pixels of the right size");
    writer.finish().expect("the PNG is finished");
}

/// What the core computes for a depthwise convolution drawn with `display`.
fn core_map(
    (width, height, rgba): &Rgba,
    channel: Channels,
    preset: Preset,
    params: ConvParams,
    display: DisplayMapping,
) -> Rgba {
    let input = rgba_to_tensor(rgba, *width, *height, channel).expect("a valid frame");
    let params = ConvParams {
        groups: channel.count(),
        ..params
    };
    let map = depthwise_conv2d(&input, &preset.kernel(), &params).expect("a valid convolution");
    let mut out = Vec::new();
    tensor_to_rgba(&map, display, &mut out).expect("a drawable map");
    (map.width(), map.height(), out)
}

fn assert_same(actual: &Rgba, expected: &Rgba, what: &str) {
    assert_eq!(
        (actual.0, actual.1),
        (expected.0, expected.1),
        "size of {what}"
    );
    let differ = actual
        .2
        .iter()
        .zip(&expected.2)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(differ, 0, "{differ} bytes of {what} differ from the core");
}

#[test]
fn maps_are_the_core_pipeline_byte_for_byte() {
    let dir = scratch("maps");
    let coffee = samples().join("coffee.png");
    let input = decode(&coffee);
    assert_eq!((input.0, input.1), (600, 400));
    let cases: [(&[&str], Channels, Preset, ConvParams, DisplayMapping); 4] = [
        (
            &["--kernel", "sobel-left", "--stride", "2"],
            Channels::All,
            Preset::SobelLeft,
            ConvParams {
                stride: (2, 2),
                ..ConvParams::default()
            },
            DisplayMapping::Clamp,
        ),
        (
            &[
                "--kernel",
                "blur",
                "--padding",
                "1",
                "--dilation",
                "2",
                "--channel",
                "gray",
            ],
            Channels::Gray,
            Preset::Blur,
            ConvParams {
                padding: Padding::uniform(1),
                dilation: (2, 2),
                ..ConvParams::default()
            },
            DisplayMapping::Clamp,
        ),
        (
            &[
                "--kernel",
                "edges",
                "--padding",
                "same",
                "--padding-mode",
                "reflect",
                "--channel",
                "r",
                "--display",
                "diverging",
            ],
            Channels::Red,
            Preset::Edges,
            ConvParams {
                padding: Padding::Same,
                padding_mode: PaddingMode::Reflect,
                ..ConvParams::default()
            },
            DisplayMapping::Diverging,
        ),
        (
            &[
                "--url",
                "http://localhost:8000/?view=conv&image=coffee&kernel=emboss&stride=3&padding=2&display=abs",
            ],
            Channels::All,
            Preset::Emboss,
            ConvParams {
                stride: (3, 3),
                padding: Padding::uniform(2),
                ..ConvParams::default()
            },
            DisplayMapping::Absolute,
        ),
    ];
    for (i, (options, channel, preset, params, display)) in cases.into_iter().enumerate() {
        let out = dir.join(format!("map{i}.png"));
        let mut arguments = vec!["render", "--image", coffee.to_str().unwrap()];
        arguments.extend_from_slice(options);
        arguments.extend(["--out", out.to_str().unwrap()]);
        let output = run(&arguments);
        assert!(output.status.success(), "{options:?}: {}", stderr(&output));
        let expected = core_map(&input, channel, preset, params, display);
        assert_same(&decode(&out), &expected, &format!("{options:?}"));
    }
    // Pooling: the core's pool2d, always drawn clamped.
    let out = dir.join("pool.png");
    let output = run(&[
        "render",
        "--image",
        coffee.to_str().unwrap(),
        "--pool",
        "mean",
        "--pool-size",
        "3",
        "--pool-stride",
        "2",
        "--display",
        "normalize",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let tensor = rgba_to_tensor(&input.2, 600, 400, Channels::All).unwrap();
    let params = PoolParams {
        stride: Some((2, 2)),
        ..PoolParams::square(3)
    };
    let pooled = pool2d(&tensor, PoolFunction::Mean, &params).unwrap();
    let mut expected = Vec::new();
    tensor_to_rgba(&pooled, DisplayMapping::Clamp, &mut expected).unwrap();
    assert_same(
        &decode(&out),
        &(pooled.width(), pooled.height(), expected),
        "mean pooling",
    );
}

/// A PNG to write: name, colour type, bit depth, palette, samples, and the RGBA the page
/// would see.
type PngCase = (
    &'static str,
    png::ColorType,
    png::BitDepth,
    Option<Vec<u8>>,
    Vec<u8>,
    Vec<u8>,
);

#[test]
fn every_kind_of_png_is_read_as_the_page_reads_it() {
    let dir = scratch("kinds");
    let (w, h) = (5u32, 3u32);
    let n = (w * h) as usize;
    let gray: Vec<u8> = (0..n).map(|i| (i * 17) as u8).collect();
    let gray16: Vec<u8> = gray.iter().flat_map(|&v| [v, 0xAB]).collect();
    let rgb: Vec<u8> = (0..n * 3).map(|i| (i * 5 % 256) as u8).collect();
    let alpha: Vec<u8> = (0..n)
        .flat_map(|i| [200, 100, 0, [255, 0, 128][i % 3]])
        .collect();
    let palette = vec![255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9];
    let indices: Vec<u8> = (0..n).map(|i| (i % 4) as u8).collect();
    let bits: Vec<u8> = vec![0b1010_0000, 0b0101_0000, 0b1111_1000];
    let cases: Vec<PngCase> = vec![
        (
            "gray8",
            png::ColorType::Grayscale,
            png::BitDepth::Eight,
            None,
            gray.clone(),
            gray.iter().flat_map(|&v| [v, v, v, 255]).collect(),
        ),
        (
            "gray16",
            png::ColorType::Grayscale,
            png::BitDepth::Sixteen,
            None,
            gray16,
            gray.iter().flat_map(|&v| [v, v, v, 255]).collect(),
        ),
        (
            "rgb8",
            png::ColorType::Rgb,
            png::BitDepth::Eight,
            None,
            rgb.clone(),
            rgb.chunks(3)
                .flat_map(|p| [p[0], p[1], p[2], 255])
                .collect(),
        ),
        (
            "rgba8",
            png::ColorType::Rgba,
            png::BitDepth::Eight,
            None,
            alpha,
            // Over white: opaque stays, transparent is white, half is halfway.
            (0..n)
                .flat_map(|i| match i % 3 {
                    0 => [200, 100, 0, 255],
                    1 => [255, 255, 255, 255],
                    _ => [227, 177, 127, 255],
                })
                .collect(),
        ),
        (
            "palette",
            png::ColorType::Indexed,
            png::BitDepth::Eight,
            Some(palette.clone()),
            indices.clone(),
            indices
                .iter()
                .flat_map(|&i| {
                    let c = &palette[i as usize * 3..][..3];
                    [c[0], c[1], c[2], 255]
                })
                .collect(),
        ),
        (
            "gray1",
            png::ColorType::Grayscale,
            png::BitDepth::One,
            None,
            bits,
            [1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1]
                .iter()
                .flat_map(|&b: &u8| [b * 255, b * 255, b * 255, 255])
                .collect(),
        ),
    ];
    for (name, colour, depth, palette, data, expected) in cases {
        let input = dir.join(format!("{name}.png"));
        let out = dir.join(format!("{name}-out.png"));
        encode(&input, (w, h), colour, depth, palette, &data);
        // Identity with padding 1 draws the input itself.
        let output = run(&[
            "render",
            "--image",
            input.to_str().unwrap(),
            "--kernel",
            "identity",
            "--padding",
            "1",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{name}: {}", stderr(&output));
        assert_same(&decode(&out), &(5, 3, expected), name);
        // And the written file is plain 8-bit RGBA.
        let info = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap()))
            .read_info()
            .unwrap()
            .info()
            .clone();
        assert_eq!(
            (info.color_type, info.bit_depth),
            (png::ColorType::Rgba, png::BitDepth::Eight)
        );
    }
}

#[test]
fn the_panel_shows_input_kernel_and_map_enlarged() {
    let dir = scratch("panel");
    let input = dir.join("in.png");
    let rgb: Vec<u8> = (0..12 * 8 * 3).map(|i| (i * 7 % 256) as u8).collect();
    encode(
        &input,
        (12, 8),
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        None,
        &rgb,
    );
    let (map, panel) = (dir.join("map.png"), dir.join("panel.png"));
    for (figure, out) in [("map", &map), ("panel", &panel)] {
        let output = run(&[
            "render",
            "--image",
            input.to_str().unwrap(),
            "--kernel",
            "sobel-top",
            "--stride",
            "2",
            "--figure",
            figure,
            "--scale",
            "3",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let (map_w, map_h, map_rgba) = decode(&map);
    assert_eq!(
        (map_w, map_h),
        (5, 3),
        "--scale leaves the map figure alone"
    );
    let (width, height, panel_rgba) = decode(&panel);
    let pixel = |x: usize, y: usize| &panel_rgba[(y * width + x) * 4..][..4];
    let margin = 16 * 3;
    // The input, 3x, at the left, vertically centred; the map, 3x, at the right.
    let input_top = margin + (height - 2 * margin - 24) / 2;
    let map_top = margin + (height - 2 * margin - 9) / 2;
    let map_left = width - margin - 15;
    for y in 0..8 * 3 {
        for x in 0..12 * 3 {
            let source = &rgb[((y / 3) * 12 + x / 3) * 3..][..3];
            assert_eq!(
                &pixel(margin + x, input_top + y)[..3],
                source,
                "input at {x},{y}"
            );
        }
    }
    for y in 0..9 {
        for x in 0..15 {
            let source = &map_rgba[((y / 3) * 5 + x / 3) * 4..][..4];
            assert_eq!(pixel(map_left + x, map_top + y), source, "map at {x},{y}");
        }
    }
    // Between them, the kernel grid: dark lines and black digits.
    let middle = (margin + 36 + margin..map_left - margin)
        .flat_map(|x| (0..height).map(move |y| (x, y)))
        .map(|(x, y)| pixel(x, y))
        .collect::<Vec<_>>();
    assert!(middle.iter().any(|p| p[..3] == [64, 64, 64]), "grid lines");
    assert!(middle.iter().any(|p| p[..3] == [0, 0, 0]), "digits");
}

/// CSV rows as cells: commas inside double quotes belong to the cell, `""` is a quote.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let (mut cells, mut cell, mut quoted) = (Vec::new(), String::new(), false);
            let mut chars = line.chars().peekable();
            while let Some(ch) = chars.next() {
                match ch {
                    '"' if quoted && chars.peek() == Some(&'"') => {
                        cell.push('"');
                        chars.next();
                    }
                    '"' => quoted = !quoted,
                    ',' if !quoted => cells.push(std::mem::take(&mut cell)),
                    _ => cell.push(ch),
                }
            }
            cells.push(cell);
            cells
        })
        .collect()
}

#[test]
fn layer_tables_have_torchvisions_numbers() {
    // torchvision 0.29.2's counts (sum of p.numel(); FlopCounterMode's FLOPs halved, in
    // eval mode) and receptive fields measured by gradients, as
    // crates/core/tests/torchvision.rs quotes them from its count.py.
    for (preset, parameters, multiply_adds, field) in [
        ("alexnet", 61_100_840, 714_188_480, "195x195"),
        ("vgg16", 138_357_544, 15_470_264_320, "212x212"),
        ("vgg16_bn", 138_365_992, 15_470_264_320, "212x212"),
        ("resnet18", 11_689_512, 1_814_073_344, "435x435"),
        ("resnet34", 21_797_672, 3_663_761_408, "899x899"),
        ("resnet50", 25_557_032, 4_089_184_256, "427x427"),
        ("googlenet", 6_624_904, 1_498_376_192, "379x379"),
        ("googlenet_aux", 13_004_888, 1_498_376_192, "379x379"),
        ("inception_v3", 23_834_568, 5_713_216_096, "1311x1311"),
        ("inception_v3_aux", 27_161_264, 5_713_216_096, "1311x1311"),
        ("densenet121", 7_978_856, 2_834_161_664, "2071x2071"),
        ("mobilenet_v2", 3_504_872, 300_774_272, "491x491"),
        ("efficientnet_b0", 5_288_548, 385_814_752, "851x851"),
        ("lenet5", 61_706, 416_520, "16x16"),
    ] {
        for by in ["block", "group", "layer"] {
            let output = run(&["layers", "--preset", preset, "--by", by, "--format", "csv"]);
            assert!(output.status.success(), "{}", stderr(&output));
            let rows = csv_rows(&stdout(&output));
            assert_eq!(rows[0][6], "parameters");
            let total = rows.last().unwrap();
            assert_eq!(total[1], "total", "{preset} {by}");
            assert_eq!(total[6], parameters.to_string(), "{preset} {by}");
            assert_eq!(total[7], multiply_adds.to_string(), "{preset} {by}");
            assert_eq!(total[9], field, "{preset} {by}");
            // The rows add up to the totals (training-only rows add no inference work).
            let body = &rows[1..rows.len() - 1];
            let sum = |column: usize, training: bool| -> u64 {
                body.iter()
                    .filter(|r| training || r[13] == "false")
                    .map(|r| r[column].parse::<u64>().unwrap())
                    .sum()
            };
            assert_eq!(sum(6, true), parameters, "{preset} {by}");
            assert_eq!(sum(7, false), multiply_adds, "{preset} {by}");
        }
    }
    // ResNet-50 by group: the stack view's collapsed rows.
    let text = stdout(&run(&["layers", "--preset", "resnet50", "--by", "group"]));
    for expected in [
        "model: torchvision.models.resnet50()",
        "Bottleneck ×3",
        "256 × 56 × 56",
        "25\u{2009}557\u{2009}032",
        "4\u{2009}089\u{2009}184\u{2009}256",
        "427 × 427",
        "4.089 G",
    ] {
        assert!(text.contains(expected), "{expected:?} in\n{text}");
    }
    // Every layer of VGG-16, with torchvision's module names: 64·224·224·27
    // multiply-adds in the first.
    let text = stdout(&run(&["layers", "--preset", "vgg16", "--by", "layer"]));
    let row = |text: &str, cells: &[&str]| {
        text.lines().any(|l| {
            cells
                .iter()
                .all(|c| l.split("  ").any(|cell| cell.trim() == *c))
        })
    };
    assert!(
        row(
            &text,
            &["features.0", "nn.Conv2d(3, 64, kernel_size=3, padding=1)"]
        ),
        "{text}"
    );
    assert!(row(&text, &["classifier.2", "nn.Dropout(p=0.5)"]), "{text}");
    assert!(text.contains("86\u{2009}704\u{2009}128"), "{text}");
    // LeNet-5: the first convolution sees 5x5, after the second pooling 16x16, jump 4.
    let csv = stdout(&run(&[
        "layers", "--preset", "lenet5", "--by", "layer", "--format", "csv",
    ]));
    assert!(
        csv.contains(
            "\n1,conv1,\"nn.Conv2d(1, 6, kernel_size=5)\",6,28,28,156,117600,235200,5x5,1,0,"
        ),
        "{csv}"
    );
    assert!(
        csv.contains("\n6,pool2,\"nn.MaxPool2d(kernel_size=2, stride=2)\",16,5,5,0,0,0,16x16,4,0,"),
        "{csv}"
    );
    // The auxiliary classifiers: rows of their own, outside the inference total.
    let text = stdout(&run(&["layers", "--preset", "inception_v3_aux"]));
    assert!(
        row(&text, &["AuxLogits", "InceptionAux (training only)"]),
        "{text}"
    );
    assert!(
        text.contains("their 5\u{2009}683\u{2009}200 multiply-adds are not in the total"),
        "{text}"
    );
    // EfficientNet-B0: squeeze-and-excitation sees the whole image.
    let text = stdout(&run(&[
        "layers",
        "--preset",
        "efficientnet_b0",
        "--by",
        "group",
    ]));
    assert!(text.contains("851 × 851 + whole image"), "{text}");
    // AlexNet in Markdown.
    let md = stdout(&run(&[
        "layers", "--preset", "alexnet", "--format", "markdown",
    ]));
    assert!(md.contains("| **61\u{2009}100\u{2009}840** |"), "{md}");
    assert!(md.contains("|---:|:---|:---|---:|"), "{md}");
    // ResNet-50 at 448x448: every map twice as large, so four times the convolutions'
    // work; the fc layer's stays.
    let csv = stdout(&run(&[
        "layers", "--preset", "resnet50", "--size", "448", "--format", "csv",
    ]));
    let total = csv.lines().last().unwrap();
    let convolutions = 4_089_184_256u64 - 2_048_000;
    assert!(
        total.starts_with(&format!(
            ",total,,1000,1,1,25557032,{},",
            4 * convolutions + 2_048_000
        )),
        "{total}"
    );
    // The page's own stacks stay layer by layer.
    let csv = stdout(&run(&[
        "layers",
        "--preset",
        "three-3x3",
        "--format",
        "csv",
    ]));
    assert!(csv.contains("\n,total,,,,27,"), "{csv}");
}

#[test]
fn stacks_come_from_the_command_line_a_file_or_a_url() {
    let dir = scratch("stacks");
    let file = dir.join("net.txt");
    std::fs::write(
        &file,
        "# a small network\ninput(1,28,28)\nconv(8,3,1,1)  # same size\nrelu\nmax(2)\nflatten\nlinear(10)\n",
    )
    .unwrap();
    let from_file = stdout(&run(&[
        "layers",
        "--file",
        file.to_str().unwrap(),
        "--format",
        "csv",
    ]));
    let from_text = stdout(&run(&[
        "layers",
        "--stack",
        "input(1,28,28); conv(8,3,1,1); relu; max(2); flatten; linear(10)",
        "--format",
        "csv",
    ]));
    let from_url = stdout(&run(&[
        "layers",
        "--url",
        "http://localhost:8000/?view=stack&layers=input(1,28,28);conv(8,3,1,1);relu;max(2);flatten;linear(10)",
        "--format",
        "csv",
    ]));
    assert_eq!(from_file, from_text);
    assert_eq!(from_url, from_text);
    // 8·9 + 8 = 80; 8·14·14 = 1568 features · 10 + 10 = 15690.
    assert!(from_text.contains("\n,total,,,,15770,"), "{from_text}");
    assert!(
        from_text.contains("\"nn.Linear(1568, 10)\",10,1,1,15690,"),
        "{from_text}"
    );
    // A page URL that shows a torchvision network prints it as --preset does.
    let network = |args: &[&str]| stdout(&run(&[&["layers"], args, &["--format", "csv"]].concat()));
    assert_eq!(
        network(&["--url", "?view=stack&stack=resnet50"]),
        network(&["--preset", "resnet50"])
    );
}

#[test]
fn mistakes_exit_2_with_a_message() {
    let dir = scratch("bad");
    let coffee = samples().join("coffee.png");
    let coffee = coffee.to_str().unwrap();
    let out = dir.join("out.png");
    let out = out.to_str().unwrap();
    let text_file = dir.join("notes.png");
    std::fs::write(&text_file, "not a picture").unwrap();
    let jpeg = dir.join("photo.png");
    std::fs::write(&jpeg, b"\xff\xd8\xff\xe0\x00\x10JFIF\x00").unwrap();
    let truncated = dir.join("truncated.png");
    let bytes = std::fs::read(samples().join("chelsea.png")).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    // A valid header claiming 100000 x 100000 pixels.
    let huge = dir.join("huge.png");
    let mut header = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut header, 100_000, 100_000);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::One);
        let _writer = encoder.write_header().unwrap();
    }
    std::fs::write(&huge, &header).unwrap();
    let stack_file = dir.join("stack.txt");
    std::fs::write(&stack_file, [0xff, 0xfe, 0x00]).unwrap();
    let image = |path: &Path| path.to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![], "is missing"),
        (
            vec!["--image".into(), "/no/such/file.png".into()],
            "cannot read the image",
        ),
        (
            vec!["--image".into(), image(&text_file)],
            "is not a PNG file;",
        ),
        (vec!["--image".into(), image(&jpeg)], "it looks like a JPEG"),
        (vec!["--image".into(), image(&truncated)], "is a broken PNG"),
        (
            vec!["--image".into(), image(&huge)],
            "is 100000×100000 pixels",
        ),
        (
            vec!["--stride".into(), "0".into()],
            "stride must be a whole number from 1 to 16, not '0'",
        ),
        (vec!["--stride".into(), "abc".into()], "not 'abc'"),
        (
            vec!["--kernel".into(), "sobel".into()],
            "there is no kernel called 'sobel'",
        ),
        (
            vec!["--weights".into(), "1 x; 0 1".into()],
            "row 1, column 2 (x) is not a number",
        ),
        (vec!["--weights".into(), "1 2; 3".into()], "kernel"),
        (
            vec![
                "--padding".into(),
                "same".into(),
                "--stride".into(),
                "2".into(),
            ],
            "same",
        ),
        (
            vec![
                "--dilation".into(),
                "16".into(),
                "--kernel".into(),
                "box-7".into(),
                "--size".into(),
                "32".into(),
            ],
            "covers",
        ),
        (
            vec!["--padding-mode".into(), "mirror".into()],
            "there is no padding mode called 'mirror'",
        ),
        (
            vec!["--channel".into(), "alpha".into()],
            "there is no channel called 'alpha'",
        ),
        (
            vec!["--display".into(), "log".into()],
            "there is no display called 'log'",
        ),
        (
            vec!["--pool".into(), "median".into()],
            "there is no pooling called 'median'",
        ),
        (
            vec!["--pool-size".into(), "17".into()],
            "pool_size must be a whole number from 1 to 16",
        ),
        (
            vec!["--size".into(), "100".into()],
            "size must be full, 256, 128, 64 or 32",
        ),
        (
            vec!["--figure".into(), "poster".into()],
            "--figure must be map or panel",
        ),
        (
            vec![
                "--scale".into(),
                "99".into(),
                "--figure".into(),
                "panel".into(),
            ],
            "--scale must be",
        ),
        (
            vec!["--strde".into(), "2".into()],
            "there is no option '--strde'",
        ),
        (
            vec!["--url".into(), "?stride=99&zoom=2".into()],
            "the parameter 'zoom' is not known",
        ),
        (
            vec!["--url".into(), "?view=stack".into()],
            "convlens layers",
        ),
    ];
    for (extra, expected) in cases {
        let mut arguments: Vec<String> = vec!["render".into()];
        if !extra.iter().any(|a| a == "--image") && !extra.is_empty() {
            arguments.extend(["--image".into(), coffee.into()]);
        }
        arguments.extend(extra.iter().cloned());
        if !extra.is_empty() {
            arguments.extend(["--out".into(), out.into()]);
        }
        let arguments: Vec<&str> = arguments.iter().map(String::as_str).collect();
        let output = run(&arguments);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {message}");
        assert!(
            message.starts_with("convlens: "),
            "{arguments:?}: {message}"
        );
        assert!(
            message.contains(expected),
            "{arguments:?}: expected {expected:?} in {message}"
        );
        assert!(!message.contains("panicked"), "{message}");
    }
    for (arguments, expected) in [
        (vec!["frobnicate"], "there is no command 'frobnicate'"),
        (vec!["layers"], "give the stack"),
        (
            vec!["layers", "--preset", "resnet51"],
            "there is no network 'resnet51'; use lenet5, alexnet",
        ),
        (
            vec!["layers", "--preset", "resnet50", "--by", "module"],
            "--by must be block, group or layer",
        ),
        (
            vec!["layers", "--preset", "resnet50", "--size", "0"],
            "--size takes N or HxW",
        ),
        (
            vec!["layers", "--preset", "inception_v3", "--size", "32"],
            "inception_v3 does not fit its input: the effective kernel (3x3)",
        ),
        (
            vec!["layers", "--stack", "relu", "--by", "layer"],
            "--by is for the torchvision networks",
        ),
        (vec!["layers", "--preset", "custom"], "give your own stack"),
        (
            vec!["layers", "--preset", "vgg16", "--stack", "relu"],
            "only one of",
        ),
        (
            vec!["layers", "--stack", "input(3,8,8);conv(4,11)"],
            "is larger than the padded input",
        ),
        (
            vec!["layers", "--stack", "conv(4,3);pool(2)"],
            "layer 2 ('pool(2)')",
        ),
        (
            vec!["layers", "--file", "/no/such/stack.txt"],
            "cannot read the stack",
        ),
        (
            vec!["layers", "--file", stack_file.to_str().unwrap()],
            "not a text file",
        ),
        (
            vec!["layers", "--preset", "vgg16", "--format", "pdf"],
            "--format must be",
        ),
    ] {
        let output = run(&arguments);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}: {message}");
        assert!(
            message.contains(expected),
            "{arguments:?}: expected {expected:?} in {message}"
        );
    }
    // An output that cannot be written is exit status 1.
    let output = run(&["render", "--image", coffee, "--out", "/no/such/dir/out.png"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("cannot write '/no/such/dir/out.png'"));
}

#[test]
fn help_describes_every_option() {
    let output = run(&["render", "--help"]);
    assert!(output.status.success());
    let help = stdout(&output);
    for option in [
        "--image",
        "--out",
        "--url",
        "--view",
        "--kernel",
        "--weights",
        "--stride",
        "--padding",
        "--padding-mode",
        "--dilation",
        "--channel",
        "--display",
        "--pool",
        "--pool-size",
        "--pool-stride",
        "--size",
        "--figure",
        "--scale",
    ] {
        assert!(
            help.contains(&format!("  {option} ")),
            "{option} in\n{help}"
        );
    }
    assert!(help.contains("sobel-left"));
    assert!(stdout(&run(&["layers", "--help"])).contains("--preset NAME"));
    assert!(stdout(&run(&["help", "layers"])).contains("--format"));
    assert!(stdout(&run(&[])).contains("convlens render"));
    assert!(stdout(&run(&["--version"])).starts_with("convlens 0."));
}

#[test]
fn size_scales_the_input_only_when_given() {
    let dir = scratch("size");
    let wide = dir.join("wide.png");
    let rgb: Vec<u8> = (0..2100 * 10 * 3).map(|i| (i % 251) as u8).collect();
    encode(
        &wide,
        (2100, 10),
        png::ColorType::Rgb,
        png::BitDepth::Eight,
        None,
        &rgb,
    );
    let coffee = samples().join("coffee.png");
    let out = dir.join("out.png");
    for (image, size, expected) in [
        (&coffee, None, (600, 400)),
        (&coffee, Some("64"), (64, 43)),
        (&coffee, Some("full"), (600, 400)),
        // The page keeps at most 2048 pixels a side at size=full.
        (&wide, None, (2100, 10)),
        (&wide, Some("full"), (2048, 10)),
        (&wide, Some("32"), (32, 1)),
    ] {
        let mut arguments = vec![
            "render",
            "--image",
            image.to_str().unwrap(),
            "--kernel",
            "identity",
            "--padding",
            "1",
            "--out",
            out.to_str().unwrap(),
        ];
        if let Some(size) = size {
            arguments.extend(["--size", size]);
        }
        let output = run(&arguments);
        assert!(
            output.status.success(),
            "{arguments:?}: {}",
            stderr(&output)
        );
        let (width, height, rgba) = decode(&out);
        assert_eq!((width, height), expected, "{arguments:?}");
        if size.is_none() {
            continue;
        }
        // Area averaging of a photo: its mean colour stays within a level.
        let (_, _, original) = decode(image);
        let mean = |data: &[u8], c: usize| {
            let values: Vec<f64> = data.chunks(4).map(|p| f64::from(p[c])).collect();
            values.iter().sum::<f64>() / values.len() as f64
        };
        for c in 0..3 {
            let (before, after) = (mean(&original, c), mean(&rgba, c));
            assert!(
                (before - after).abs() < 1.5,
                "channel {c}: {before} vs {after}"
            );
        }
    }
}

/// The number after `"key":` in a JSON line.
fn json_number(line: &str, key: &str) -> f64 {
    let start = line
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("no {key} in {line}"))
        + key.len()
        + 3;
    let end = line[start..]
        .find([',', '}'])
        .map_or(line.len(), |e| start + e);
    line[start..end].parse().expect("a number")
}

#[test]
fn train_prints_one_line_per_epoch() {
    // Small enough for a debug build: 4x4 max pooling, then a linear classifier.
    let stack = "input(1,28,28); max(4); flatten; linear(10)";
    let arguments = [
        "train", "--stack", stack, "--epochs", "2", "--batch", "100", "--lr", "0.01", "--json",
    ];
    let output = run(&arguments);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(json_number(line, "epoch"), (i + 1) as f64);
        assert_eq!(json_number(line, "steps"), (80 * (i + 1)) as f64);
        assert!(json_number(line, "seconds") > 0.0);
    }
    // A linear classifier of 7x7 pooled pixels learns most digits, and the second
    // epoch's loss is lower.
    assert!(json_number(lines[1], "test_accuracy") > 0.6, "{text}");
    assert!(
        json_number(lines[1], "loss") < json_number(lines[0], "loss"),
        "{text}"
    );
    // Text: a header, then a line per epoch.
    let output = run(&["train", "--stack", stack, "--epochs", "1", "--batch", "200"]);
    let text = stdout(&output);
    assert!(
        text.starts_with("Your stack: 500 parameters; adam at learning rate 0.002"),
        "{text}"
    );
    assert!(text.contains("epoch 1/1  loss "), "{text}");
}

#[test]
fn train_explains_its_mistakes() {
    for (arguments, expected) in [
        (
            &["--optimizer", "rmsprop"][..],
            "--optimizer must be sgd or adam, not 'rmsprop'",
        ),
        (&["--lr", "0"], "the learning rate must be from"),
        (&["--lr", "fast"], "--lr must be a number, not 'fast'"),
        (
            &["--batch", "0"],
            "the batch size must be from 1 to 1024, not 0",
        ),
        (&["--momentum", "0.5"], "--momentum is SGD's"),
        (&["--json=yes"], "--json takes no value"),
        (
            &["--stack", "input(3,28,28); flatten; linear(10)"],
            "must start with input(1,28,28)",
        ),
        (
            &["--stack", "input(1,28,28); flatten; linear(7)"],
            "end the stack with linear(10)",
        ),
        (&["--stack", "conv(8"], "--stack: layer 1"),
        (
            &["--data", "/nonexistent/digits.bin"],
            "cannot read /nonexistent/digits.bin",
        ),
    ] {
        let mut all = vec!["train"];
        all.extend_from_slice(arguments);
        let output = run(&all);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        assert!(
            stderr(&output).contains(expected),
            "{arguments:?}: {}",
            stderr(&output)
        );
    }
    let help = run(&["train", "--help"]);
    assert!(stdout(&help).contains("--optimizer O"));
}

#[test]
fn detect_prints_the_cores_boxes_and_draws_them() {
    use convlens_core::detect::{Mtcnn, Settings, FACE_COLOUR};
    let astronaut = samples().join("astronaut.png");
    let dir = scratch("detect");
    let out = dir.join("faces.png");
    // Faces from 40 pixels: a quarter of the work of the default 20, for a debug build.
    let output = run(&[
        "detect",
        "--image",
        astronaut.to_str().unwrap(),
        "--min-face",
        "40",
        "--json",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "{text}");
    // The core's own answer on the photo as the png crate decodes it, to the bit.
    let (width, height, rgba) = decode(&astronaut);
    let rgb = rgba_to_tensor(&rgba, width, height, Channels::All).unwrap();
    let net = Mtcnn::decode(include_bytes!("../../../www/data/mtcnn.bin")).unwrap();
    let settings = Settings {
        min_face: 40.0,
        ..Settings::default()
    };
    let faces = net.detect(&rgb, &settings).unwrap().faces;
    assert_eq!(faces.len(), 1);
    let face = faces[0];
    for (key, value) in [
        ("x", face.x1),
        ("y", face.y1),
        ("width", face.width()),
        ("height", face.height()),
        ("score", face.score),
    ] {
        assert_eq!(json_number(lines[0], key) as f32, value, "{key} in {text}");
    }
    // On the face: the box's top-left corner lies about her hairline, left of her eyes.
    assert!(
        (150.0..200.0).contains(&face.x1) && (40.0..90.0).contains(&face.y1),
        "{face:?}"
    );
    // The picture: the photo's size, the box's outline in green, the face reddened by
    // the heat map, the far corner as it was.
    let (w, h, drawn) = decode(&out);
    assert_eq!((w, h), (width, height));
    let pixel = |data: &[u8], x: f32, y: f32| {
        let at = (y as usize * width + x as usize) * 4;
        [data[at], data[at + 1], data[at + 2]]
    };
    let middle = face.x1 + face.width() / 2.0;
    assert_eq!(pixel(&drawn, middle, face.y1.round()), FACE_COLOUR);
    assert_eq!(pixel(&drawn, face.x1.round(), face.y1 + 30.0), FACE_COLOUR);
    let centre = face.y1 + face.height() / 2.0;
    let (before, after) = (pixel(&rgba, middle, centre), pixel(&drawn, middle, centre));
    assert!(
        after[0] >= before[0] && after[1] < before[1],
        "{before:?} -> {after:?}"
    );
    assert_eq!(pixel(&drawn, 505.0, 5.0), pixel(&rgba, 505.0, 5.0));

    // Text: a summary line, then a line per face.
    let output = run(&[
        "detect",
        "--image",
        astronaut.to_str().unwrap(),
        "--min-face",
        "40",
    ]);
    let text = stdout(&output);
    assert!(text.starts_with("1 face ("), "{text}");
    assert!(text.contains(&format!("score {:.4}", face.score)), "{text}");
    // A photo without a face: no box.
    let chelsea = samples().join("chelsea.png");
    let output = run(&[
        "detect",
        "--image",
        chelsea.to_str().unwrap(),
        "--min-face",
        "40",
        "--json",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn detect_explains_its_mistakes() {
    let coffee = samples().join("coffee.png");
    let coffee = coffee.to_str().unwrap();
    for (arguments, expected) in [
        (vec!["detect"], "--image is needed"),
        (
            vec!["detect", "--image", coffee, "--threshold", "2"],
            "--threshold must be from 0 to 1, not '2'",
        ),
        (
            vec!["detect", "--image", coffee, "--min-face", "8"],
            "--min-face must be from 12 to 10000, not '8'",
        ),
        (
            vec!["detect", "--image", coffee, "--min-face", "big"],
            "--min-face must be a number, not 'big'",
        ),
        (
            vec!["detect", "--image", coffee, "--stages", "onet"],
            "--stages must be pnet or rnet, not 'onet'",
        ),
        (
            vec!["detect", "--image", "/no/such.png"],
            "cannot read the image",
        ),
    ] {
        let output = run(&arguments);
        assert_eq!(output.status.code(), Some(2), "{arguments:?}");
        assert!(
            stderr(&output).contains(expected),
            "{arguments:?}: {}",
            stderr(&output)
        );
    }
    let help = stdout(&run(&["detect", "--help"]));
    for option in [
        "--image",
        "--min-face",
        "--threshold",
        "--stages",
        "--json",
        "--out",
    ] {
        assert!(
            help.contains(&format!("  {option} ")),
            "{option} in\n{help}"
        );
    }
    assert!(stdout(&run(&[])).contains("convlens detect"));
}
