//! The recorded srt and vtt bodies, odd files, and writing cues back.

use super::*;
use crate::transport::events::test_support::recorded_text_body;

fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

#[test]
fn the_recorded_srt_and_vtt_bodies() {
    let srt = recorded_text_body("azure-transcription-srt.whisper.2024-10-21.recording.json");
    assert_eq!(
        parse_srt(&srt).unwrap(),
        vec![Cue::new(
            1,
            secs(0),
            secs(3),
            "Hello world, this is a test."
        )]
    );
    let vtt = recorded_text_body("azure-transcription-vtt.whisper.2024-10-21.recording.json");
    assert_eq!(
        parse_vtt(&vtt).unwrap(),
        vec![Cue::new(
            1,
            secs(0),
            secs(3),
            "Hello, world. This is a test."
        )]
    );
    let translation = recorded_text_body("azure-translation-srt.whisper.2024-10-21.recording.json");
    let cues = parse_srt(&translation).unwrap();
    assert_eq!(cues.len(), 5);
    assert_eq!(
        cues.iter().map(|c| c.index).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!((cues[3].start, cues[3].end), (secs(28), secs(33)));
    assert!(cues[4].text.starts_with("so that they can be used"));
    // Written back, the recorded srt is the same text (its extra blank line aside).
    assert_eq!(to_srt(&cues), translation.trim_end().to_owned() + "\n\n");
}

#[test]
fn crlf_cr_bom_and_multi_line_text() {
    let srt = "\u{FEFF}7\r\n00:01:02,5 --> 01:00:00,250\r\nfirst line\r\nsecond line\r\n\r\n8\r00:00:01,000 --> 00:00:02,000\rlast";
    let cues = parse_srt(srt).unwrap();
    assert_eq!(cues.len(), 2);
    assert_eq!(cues[0].index, 7);
    assert_eq!(cues[0].start, Duration::from_millis(62_500));
    assert_eq!(cues[0].end, Duration::from_millis(3_600_250));
    assert_eq!(cues[0].text, "first line\nsecond line");
    assert_eq!((cues[1].index, cues[1].text.as_str()), (8, "last"));
}

#[test]
fn vtt_without_ids_or_hours_with_settings_notes_and_styles() {
    let vtt = "WEBVTT - a title\nKind: captions\n\nSTYLE\n::cue { color: yellow }\n\nNOTE a comment\nover two lines\n\nintro\n00:01.000 --> 00:04.500 align:start position:10%\n<v Roger>Hi\n\n42\n01:00:00.000 --> 01:00:01.000\nBye\n\n00:05.000 --> 00:06.000\nno id\n";
    let cues = parse_vtt(vtt).unwrap();
    assert_eq!(
        cues,
        vec![
            Cue::new(1, secs(1), Duration::from_millis(4500), "<v Roger>Hi"),
            Cue::new(42, secs(3600), secs(3601), "Bye"),
            Cue::new(3, secs(5), secs(6), "no id"),
        ]
    );
    assert_eq!(parse_vtt("WEBVTT\n\n").unwrap(), vec![]);
    assert_eq!(parse_srt("").unwrap(), vec![]);
}

#[test]
fn a_timing_line_that_cannot_be_read_is_an_error_naming_the_line() {
    for bad in [
        "1\n00:00:00,000 --> soon\nx\n",
        "1\n00:61:00,000 --> 00:62:00,000\nx\n",
        "1\n00:00:00,0000 --> 00:00:01,000\nx\n",
        "1\n -->\nx\n",
        "1\n00:00:-1,000 --> 00:00:01,000\nx\n",
    ] {
        let err = parse_srt(bad).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Decode, "{bad:?}");
        assert!(err.to_string().contains("line 2"), "{err}");
    }
}

#[test]
fn segments_become_srt_and_vtt() {
    let segment = |start: f64, end: f64, text: &str| Segment {
        start,
        end,
        text: text.into(),
        ..Segment::default()
    };
    let segments = [
        segment(0.9599999785423279, 2.4000000953674316, " Hello, world."),
        segment(2.4000000953674316, 3725.0015, " This is a test."),
        segment(f64::NAN, -1.0, " odd"),
    ];
    let cues = cues_from_segments(&segments);
    assert_eq!(
        to_srt(&cues),
        "1\n00:00:00,960 --> 00:00:02,400\nHello, world.\n\n\
         2\n00:00:02,400 --> 01:02:05,002\nThis is a test.\n\n\
         3\n00:00:00,000 --> 00:00:00,000\nodd\n\n"
    );
    let vtt = to_vtt(&cues);
    assert!(vtt.starts_with("WEBVTT\n\n00:00:00.960 --> 00:00:02.400\nHello, world.\n\n"));
    // What is written reads back the same.
    assert_eq!(parse_srt(&to_srt(&cues)).unwrap(), {
        let mut c = cues.clone();
        c[1].end = Duration::from_millis(3_725_002);
        c[0].start = Duration::from_millis(960);
        c[0].end = Duration::from_millis(2400);
        c[1].start = Duration::from_millis(2400);
        c
    });
}
