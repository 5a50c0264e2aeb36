use super::*;

fn part(settings: &mut Settings) -> &mut TransposedSettings {
    &mut settings.transposed
}

/// The matrix times the flattened input, as the page's matrix claims.
fn by_matrix(facts: &TransposedFacts) -> Vec<f32> {
    let matrix = facts.matrix.as_ref().unwrap();
    let w = facts.weight.width();
    matrix
        .iter()
        .map(|row| {
            row.iter()
                .zip(facts.input.data())
                .map(|(e, v)| e.map_or(0.0, |(m, n)| facts.weight.data()[m * w + n] * v))
                .sum()
        })
        .collect()
}

#[test]
fn stamps_add_up_to_the_worked_example() {
    let mut settings = Settings::default();
    let facts = transposed_facts(&settings).unwrap();
    // x = [[1, 2], [3, 4]], w the 3x3 blur times 16, stride 2: worked by hand.
    assert_eq!(
        facts.output.rows(0),
        [
            [1.0, 2.0, 3.0, 4.0, 2.0],
            [2.0, 4.0, 6.0, 8.0, 4.0],
            [4.0, 8.0, 10.0, 12.0, 6.0],
            [6.0, 12.0, 14.0, 16.0, 8.0],
            [3.0, 6.0, 7.0, 8.0, 4.0],
        ]
    );
    assert_eq!((facts.stamps, facts.step, facts.drawn), (4, 0, (5, 5)));
    // After the first stamp only x[1,1]'s copy of the kernel is in.
    assert_eq!(
        facts.stamped.rows(0)[0..3],
        [
            [1.0, 2.0, 1.0, 0.0, 0.0],
            [2.0, 4.0, 2.0, 0.0, 0.0],
            [1.0, 2.0, 1.0, 0.0, 0.0]
        ]
    );
    assert_eq!(
        facts.formulas[0],
        "H_out = (H_in − 1)·s − 2p + d·(k − 1) + output_padding + 1 = (2 − 1)·2 − 2·0 + 1·(3 − 1) + 0 + 1 = 5"
    );
    assert_eq!(
        facts.pytorch,
        "nn.ConvTranspose2d(1, 1, kernel_size=3, stride=2, bias=False)"
    );
    assert_eq!((facts.parameters, facts.multiply_adds), (9, 36));
    assert_eq!(
        stamp_text(&facts),
        "Stamp 1 of 4: x[1,1] = 1 adds 1 × w to rows 1–3, columns 1–3 (counted before the crop)"
    );
    // The centre takes one corner weight from each stamp.
    assert_eq!(
        cell_sum(&settings, &facts, (2, 2)),
        "y[3,3] = x[1,1]·w[3,3] + x[1,2]·w[3,1] + x[2,1]·w[1,3] + x[2,2]·w[1,1] = 1·1 + 2·1 + 3·1 + 4·1 = 10"
    );
    let matrix = facts.matrix.as_ref().unwrap();
    assert_eq!((matrix.len(), matrix[0].len()), (25, 4));
    assert_eq!(
        matrix[12],
        [Some((2, 2)), Some((2, 0)), Some((0, 2)), Some((0, 0))]
    );
    assert_eq!(by_matrix(&facts), facts.output.data());
    // The last stamp: everything in, the same as the layer.
    part(&mut settings).step = 99;
    let last = transposed_facts(&settings).unwrap();
    assert_eq!((last.step, last.stamped.data()), (3, facts.output.data()));
}

#[test]
fn padding_crops_and_output_padding_extends() {
    let mut settings = Settings::default();
    part(&mut settings).padding = 1;
    part(&mut settings).output_padding = 1;
    part(&mut settings).step = 3;
    let facts = transposed_facts(&settings).unwrap();
    // 5x5 stamped, one row and column cropped from each side, one added at the end.
    assert_eq!(facts.output.height(), 4);
    assert_eq!((facts.crop, facts.drawn), (1, (5, 5)));
    for y in 0..4 {
        for x in 0..4 {
            assert_eq!(
                facts.output.get(0, 0, y, x),
                facts.stamped.get(0, 0, y + 1, x + 1)
            );
        }
    }
    assert!(facts.pytorch.contains("padding=1, output_padding=1"));
    assert_eq!(by_matrix(&facts), facts.output.data());
    assert_eq!(
        cell_sum(&settings, &facts, (0, 0)),
        "a cropped cell = x[1,1]·w[1,1] = 1·1 = 1"
    );
    // Dilation, a wide kernel, output padding past the stamps: still the matrix.
    for (stride, padding, output_padding, dilation) in
        [(1, 0, 1, 2), (3, 2, 2, 1), (2, 1, 0, 2), (1, 1, 0, 1)]
    {
        let mut settings = Settings::default();
        let p = part(&mut settings);
        p.grid = vec![vec![1.0, -2.0, 3.0], vec![0.5, 4.0, -1.0]];
        p.kernel = vec![vec![1.0, 2.0], vec![-3.0, 0.25], vec![2.0, 1.0]];
        (p.stride, p.padding, p.output_padding, p.dilation) =
            (stride, padding, output_padding, dilation);
        let facts = transposed_facts(&settings).unwrap();
        assert_eq!(
            by_matrix(&facts),
            facts.output.data(),
            "{stride} {padding} {output_padding} {dilation}"
        );
    }
}

#[test]
fn bad_settings_are_refused_in_words() {
    let mut settings = Settings::default();
    part(&mut settings).output_padding = 2;
    assert!(transposed_facts(&settings)
        .unwrap_err()
        .to_string()
        .contains("output padding"));
    let mut settings = Settings::default();
    part(&mut settings).padding = 4;
    assert!(transposed_facts(&settings).is_err());
    let mut settings = Settings::default();
    assert_eq!(
        settings
            .set("tgrid", "1;2;3;4;5;6;7")
            .unwrap_err()
            .to_string(),
        "the grid can be at most 6×6"
    );
    assert!(settings.set("tkernel", "1,x").is_err());
    assert!(settings.set("tstride", "5").is_err());
    assert_eq!(settings, Settings::default());
}

#[test]
fn the_url_round_trips() {
    let mut settings = Settings {
        view: "transposed",
        ..Settings::default()
    };
    for (key, value) in [
        ("tgrid", "1,0,2;0,1/2,3"),
        ("tkernel", "1,-1;2,0"),
        ("tstride", "3"),
        ("tpadding", "1"),
        ("output_padding", "2"),
        ("tdilation", "2"),
        ("tstep", "4"),
    ] {
        settings.set(key, value).unwrap();
    }
    let query = settings.to_query();
    assert!(query.contains("tgrid=1,0,2;0,0.5,3"), "{query}");
    assert!(query.contains("&tstep=4"), "{query}");
    let (back, warnings) = Settings::from_query(&query);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(back, settings);
}

#[test]
fn the_checkerboard_comes_from_uneven_overlaps() {
    let gray = Tensor::filled(Shape::new(1, 1, 40, 40).unwrap(), 90.0);
    let board = checkerboard(&gray).unwrap();
    assert_eq!(board.uneven.height(), 80);
    assert_eq!(board.even.width(), 80);
    assert_eq!(inner_counts(&board.uneven_counts), [1.0, 2.0, 4.0]);
    assert_eq!(inner_counts(&board.even_counts), [4.0]);
    assert_eq!(counts_text(&board.uneven_counts), "1, 2, 4");
    // A flat photo stays flat except where the overlaps are uneven.
    let values = |t: &Tensor| {
        let mut v: Vec<i32> = inner_counts(t).iter().map(|x| x.round() as i32).collect();
        v.dedup();
        v
    };
    assert_eq!(values(&board.uneven), [40, 80, 160]);
    assert_eq!(values(&board.even), [90]);
    assert_eq!(values(&board.resized), [90]);
    assert!(board
        .resized
        .data()
        .iter()
        .all(|&v| (v - 90.0).abs() < 1e-3));
    // A photo is shrunk to at most 64 on its longest side first.
    let photo = Tensor::filled(Shape::new(1, 1, 300, 451).unwrap(), 1.0);
    assert_eq!(checkerboard(&photo).unwrap().small.shape().width, 56);
    assert!(checkerboard(&Tensor::filled(Shape::new(1, 1, 1, 1).unwrap(), 1.0)).is_ok());
}
