//! The Discord adapter's translation of interactions, fed the JSON Discord sends (API v10
//! `INTERACTION_CREATE` payloads, as in Discord's documentation), deserialised by serenity:
//! each becomes the right action, and learners' commands the right engine calls.

mod common;

use ksbquiz::adapters::discord::translate::{self, Action, QuizStart};
use ksbquiz::engine::{ExportRequest, Input};
use serenity::all::Interaction;

fn parse(json: &str) -> Interaction {
    serde_json::from_str(json).expect("serenity reads Discord's interaction JSON")
}

/// A guild slash command, as Discord sends it: `/quiz start` with string, integer and boolean
/// options, from a member whose permissions include Manage Server.
const QUIZ_START: &str = r#"{
  "app_permissions": "2248473465835073",
  "application_id": "1180000000000000001",
  "authorizing_integration_owners": {"0": "1190000000000000001"},
  "channel": {"flags": 0, "guild_id": "1190000000000000001", "id": "1190000000000000005",
              "last_message_id": "1310000000000000000", "name": "level-3-tuesday", "nsfw": false,
              "parent_id": null, "permission_overwrites": [], "position": 2,
              "rate_limit_per_user": 0, "topic": null, "type": 0},
  "channel_id": "1190000000000000005",
  "context": 0,
  "attachment_size_limit": 10485760,
  "data": {
    "guild_id": "1190000000000000001",
    "id": "1300000000000000001",
    "name": "quiz",
    "options": [{"name": "start", "type": 1, "options": [
      {"name": "cohort", "type": 3, "value": "ab12cd"},
      {"name": "items", "type": 3, "value": "K1-K10"},
      {"name": "questions", "type": 4, "value": 8},
      {"name": "seconds", "type": 4, "value": 30},
      {"name": "streak_bonus", "type": 5, "value": false}
    ]}],
    "type": 1
  },
  "entitlements": [],
  "guild": {"features": [], "id": "1190000000000000001", "locale": "en-GB"},
  "guild_id": "1190000000000000001",
  "guild_locale": "en-GB",
  "id": "1310000000000000001",
  "locale": "en-GB",
  "member": {
    "avatar": null, "banner": null, "communication_disabled_until": null, "deaf": false,
    "flags": 0, "joined_at": "2025-09-01T10:00:00.000000+00:00", "mute": false,
    "nick": "Mrs Patel", "pending": false, "permissions": "2251799813685247",
    "premium_since": null, "roles": ["1190000000000000009"],
    "unusual_dm_activity_until": null,
    "user": {"avatar": null, "avatar_decoration_data": null, "clan": null, "collectibles": null,
             "discriminator": "0", "global_name": "Priya", "id": "1200000000000000001",
             "primary_guild": null, "public_flags": 0, "username": "priya.patel"}
  },
  "token": "aW50ZXJhY3Rpb246MTMxMDAwMDAwMDAwMDAwMDAwMTpVRzlQUmZq",
  "type": 2,
  "version": 1
}"#;

/// A slash command in a direct message: `user` instead of `member`, no guild.
const PRACTICE_DM: &str = r#"{
  "app_permissions": "2248473465835073",
  "application_id": "1180000000000000001",
  "authorizing_integration_owners": {"1": "1200000000000000002"},
  "channel": {"flags": 0, "id": "1190000000000000077", "last_message_id": null,
              "recipients": [{"avatar": null, "discriminator": "0", "global_name": "Sam",
                              "id": "1200000000000000002", "public_flags": 0, "username": "sam_r"}],
              "type": 1},
  "channel_id": "1190000000000000077",
  "context": 1,
  "attachment_size_limit": 10485760,
  "data": {"id": "1300000000000000003", "name": "practice", "type": 1},
  "entitlements": [],
  "id": "1310000000000000002",
  "locale": "en-GB",
  "token": "aW50ZXJhY3Rpb246MTMxMDAwMDAwMDAwMDAwMDAwMjpTaWdu",
  "type": 2,
  "user": {"avatar": null, "discriminator": "0", "global_name": "Sam",
           "id": "1200000000000000002", "public_flags": 0, "username": "sam_r"},
  "version": 1
}"#;

/// A button click (message component) on a message the bot posted.
const CLICK: &str = r#"{
  "app_permissions": "2248473465835073",
  "application_id": "1180000000000000001",
  "authorizing_integration_owners": {"0": "1190000000000000001"},
  "channel_id": "1190000000000000005",
  "context": 0,
  "attachment_size_limit": 10485760,
  "data": {"component_type": 2, "custom_id": "CUSTOM_ID"},
  "entitlements": [],
  "guild_id": "1190000000000000001",
  "guild_locale": "en-GB",
  "id": "1310000000000000003",
  "locale": "en-GB",
  "member": {
    "avatar": null, "communication_disabled_until": null, "deaf": false, "flags": 0,
    "joined_at": "2025-09-02T10:00:00.000000+00:00", "mute": false, "nick": null,
    "pending": false, "permissions": "1071698660929", "premium_since": null, "roles": [],
    "user": {"avatar": null, "discriminator": "0", "global_name": "Jo Bloggs",
             "id": "1200000000000000003", "public_flags": 0, "username": "jo.b"}
  },
  "message": {
    "attachments": [], "author": {"avatar": null, "bot": true, "discriminator": "0",
      "global_name": null, "id": "1180000000000000001", "public_flags": 0, "username": "ksbquiz"},
    "channel_id": "1190000000000000005",
    "components": [{"type": 1, "components": [
      {"custom_id": "CUSTOM_ID", "label": "A", "style": 1, "type": 2}]}],
    "content": "**Question 1 of 8**", "edited_timestamp": null, "embeds": [], "flags": 0,
    "id": "1310000000000000100", "mention_everyone": false, "mention_roles": [], "mentions": [],
    "pinned": false, "timestamp": "2026-11-23T10:00:00.000000+00:00", "tts": false, "type": 0
  },
  "token": "aW50ZXJhY3Rpb246MTMxMDAwMDAwMDAwMDAwMDAwMzpCdXR0",
  "type": 3,
  "version": 1
}"#;

fn click(custom_id: &str) -> Interaction {
    parse(&CLICK.replace("CUSTOM_ID", custom_id))
}

fn command(name: &str, options: &str) -> Interaction {
    let json = QUIZ_START.replacen(
        r#""name": "quiz",
    "options": [{"name": "start", "type": 1, "options": [
      {"name": "cohort", "type": 3, "value": "ab12cd"},
      {"name": "items", "type": 3, "value": "K1-K10"},
      {"name": "questions", "type": 4, "value": 8},
      {"name": "seconds", "type": 4, "value": 30},
      {"name": "streak_bonus", "type": 5, "value": false}
    ]}],"#,
        &format!(r#""name": "{name}", "options": {options},"#),
        1,
    );
    assert_ne!(json, QUIZ_START, "the template replacement applied");
    parse(&json)
}

#[test]
fn quiz_start_with_its_options_from_a_server_manager() {
    let (who, action) = translate::translate(&parse(QUIZ_START)).unwrap();
    assert_eq!(
        action,
        Action::QuizStart(QuizStart {
            cohort: Some("ab12cd".into()),
            standard: None,
            items: Some("K1-K10".into()),
            questions: Some(8),
            seconds: Some(30),
            streak_bonus: Some(false),
        })
    );
    assert_eq!(who.user, 1_200_000_000_000_000_001);
    assert_eq!(who.account(), "discord:1200000000000000001");
    assert_eq!(who.name, "Mrs Patel", "the server nickname comes first");
    assert_eq!(who.channel, 1_190_000_000_000_000_005);
    assert_eq!(who.guild, Some(1_190_000_000_000_000_001));
    assert!(who.manage_guild);
    assert_eq!(who.roles, [1_190_000_000_000_000_009]);
}

#[test]
fn sub_commands_and_learner_commands() {
    let cases = [
        (
            "quiz",
            r#"[{"name": "stop", "type": 1, "options": []}]"#,
            Action::QuizStop,
        ),
        (
            "quiz",
            r#"[{"name": "leaderboard", "type": 1, "options": []}]"#,
            Action::QuizLeaderboard,
        ),
        (
            "cohort",
            r#"[{"name": "join", "type": 1, "options": [{"name": "code", "type": 3, "value": " XY7K2Q "}]}]"#,
            Action::Engine(Input::Join("XY7K2Q".into())),
        ),
        (
            "cohort",
            r#"[{"name": "create", "type": 1, "options": [{"name": "name", "type": 3, "value": "Tuesday L3"},
                {"name": "standards", "type": 3, "value": "HSCCLD222, HSCCLD352"}]}]"#,
            Action::Engine(Input::CohortCreate {
                name: "Tuesday L3".into(),
                standards: vec!["HSCCLD222".into(), "HSCCLD352".into()],
            }),
        ),
        ("stats", "[]", Action::Engine(Input::Stats)),
        (
            "export",
            r#"[{"name": "cohort", "type": 3, "value": "XY7K2Q"}]"#,
            Action::Export(ExportRequest::cohort("XY7K2Q")),
        ),
        (
            "export",
            r#"[{"name": "cohort", "type": 3, "value": "XY7K2Q"}, {"name": "from", "type": 3, "value": " 2026-09-01 "},
                {"name": "to", "type": 3, "value": "2026-12-31"}, {"name": "format", "type": 3, "value": "csv"}]"#,
            Action::Export(ExportRequest {
                code: "XY7K2Q".into(),
                from: Some("2026-09-01".into()),
                to: Some("2026-12-31".into()),
                format: Some("csv".into()),
                extra: vec![],
            }),
        ),
        ("link", "[]", Action::Engine(Input::Link(None))),
        (
            "link",
            r#"[{"name": "code", "type": 3, "value": "123456"}]"#,
            Action::Engine(Input::Link(Some("123456".into()))),
        ),
        ("mydata", "[]", Action::Engine(Input::MyData)),
        ("forget", "[]", Action::Engine(Input::Forget)),
        (
            "forget",
            r#"[{"name": "confirm", "type": 5, "value": true}]"#,
            Action::Engine(Input::ForgetConfirm),
        ),
        ("dance", "[]", Action::Unknown("/dance".into())),
    ];
    for (name, options, want) in cases {
        let (_, action) = translate::translate(&command(name, options)).unwrap();
        assert_eq!(action, want, "/{name} {options}");
    }
}

#[test]
fn a_direct_message_has_no_guild_and_no_tutor_rights() {
    let (who, action) = translate::translate(&parse(PRACTICE_DM)).unwrap();
    assert_eq!(action, Action::Engine(Input::Practice));
    assert_eq!(who.guild, None);
    assert!(!who.manage_guild);
    assert_eq!(who.name, "Sam", "display name when there is no nickname");
}

#[test]
fn buttons_live_answer_and_foreign() {
    let (who, action) = translate::translate(&click("live:19a0b1c2d3e05:2:1")).unwrap();
    assert_eq!(
        action,
        Action::LiveClick {
            quiz: "19a0b1c2d3e05".into(),
            index: 2,
            option: 1
        }
    );
    assert!(!who.manage_guild, "permissions without Manage Server");
    assert_eq!(who.name, "Jo Bloggs");
    let (_, action) =
        translate::translate(&click("ans:0000000000000007-0000000000000042:3")).unwrap();
    assert_eq!(
        action,
        Action::Answer {
            delivery: "0000000000000007-0000000000000042".into(),
            option: 3
        }
    );
    for foreign in ["live:x:y:z", "live:onlyone", "ans:nodelivery", "poll:1", ""] {
        let (_, action) = translate::translate(&click(foreign)).unwrap();
        assert_eq!(action, Action::Unknown(foreign.into()), "{foreign:?}");
    }
}

#[test]
fn pings_and_autocomplete_are_not_handled() {
    let ping = r#"{"application_id": "1180000000000000001", "id": "1310000000000000009",
                   "token": "dG9rZW4", "type": 1, "version": 1, "entitlements": [],
                   "attachment_size_limit": 10485760}"#;
    let i: Interaction = serde_json::from_str(ping).unwrap();
    assert!(translate::translate(&i).is_none());
    let auto = PRACTICE_DM.replace(r#""type": 2,"#, r#""type": 4,"#);
    let i: Interaction = serde_json::from_str(&auto).unwrap();
    assert!(translate::translate(&i).is_none());
}

/// Translated learner commands drive the engine: a Discord user joins a cohort by code and
/// gets their stats, with the account Discord's user id names.
#[test]
fn translated_commands_drive_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let (e, _) = common::engine_at(dir.path(), "2026-11-23T09:00:00Z");
    let tutor = common::who("telegram:1");
    e.handle(tutor, Input::Start { code: None }).unwrap();
    e.handle(
        tutor,
        Input::CohortCreate {
            name: "Group".into(),
            standards: vec!["HSCCLD222".into()],
        },
    )
    .unwrap();
    let code = e.store().cohorts().next().unwrap().unwrap().code;
    let join = command(
        "cohort",
        &format!(
            r#"[{{"name": "join", "type": 1, "options": [{{"name": "code", "type": 3, "value": "{code}"}}]}}]"#
        ),
    );
    let (who, Action::Engine(input)) = translate::translate(&join).unwrap() else {
        panic!("an engine call");
    };
    let account = who.account();
    let w = ksbquiz::engine::Who {
        account: &account,
        name: &who.name,
        platform: "discord",
    };
    e.handle(w, Input::Start { code: None }).unwrap();
    let outs = e.handle(w, input).unwrap();
    assert!(
        common::texts(&outs).contains("Group"),
        "{}",
        common::texts(&outs)
    );
    let l = e.store().learner_by_account(&account).unwrap().unwrap();
    assert_eq!(l.name, "Mrs Patel");
    assert!(l.cohorts.contains(&code));
    assert!(l.standards.contains(&"HSCCLD222".to_string()));
}

/// The registered commands keep to Discord's rules: lower-case names of 1-32 characters,
/// descriptions of 1-100, required options before optional ones, at most 25 options.
#[test]
fn registered_commands_follow_discords_rules() {
    fn check(opts: &serde_json::Value) {
        let Some(opts) = opts.as_array() else { return };
        assert!(opts.len() <= 25);
        let mut optional_seen = false;
        for o in opts {
            let name = o["name"].as_str().unwrap();
            assert!(
                (1..=32).contains(&name.len()) && name == name.to_lowercase(),
                "{name}"
            );
            let d = o["description"].as_str().unwrap();
            assert!((1..=100).contains(&d.chars().count()), "{d}");
            if o["type"] != 1 && o["type"] != 2 {
                let required = o["required"].as_bool().unwrap_or(false);
                assert!(
                    !(required && optional_seen),
                    "required after optional: {name}"
                );
                optional_seen |= !required;
            }
            for c in o["choices"].as_array().into_iter().flatten() {
                let n = c["name"].as_str().unwrap();
                assert!((1..=100).contains(&n.chars().count()), "{n}");
                assert!(
                    c["value"].is_string(),
                    "a string option's choices are strings"
                );
            }
            check(&o["options"]);
        }
    }
    let cmds = translate::commands_json();
    check(&cmds);
    let names: Vec<&str> = cmds
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    for want in [
        "quiz", "cohort", "practice", "stats", "export", "link", "mydata", "forget",
    ] {
        assert!(names.contains(&want), "{want}");
    }
    // /export: the cohort, then an optional range and a choice of the export's formats.
    let export = cmds
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "export")
        .unwrap();
    let opts = export["options"].as_array().unwrap();
    let names: Vec<&str> = opts.iter().map(|o| o["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["cohort", "from", "to", "format"]);
    assert!(opts.iter().all(|o| o["type"] == 3), "string options");
    let formats: Vec<&str> = opts[3]["choices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_str().unwrap())
        .collect();
    assert_eq!(formats.len(), ksbquiz::export::Format::ALL.len());
    assert!(
        formats
            .iter()
            .all(|f| ksbquiz::export::Format::from_name(f).is_some())
    );
}

/// The standards menu a new learner is offered (a string select): the value chosen is the
/// command the engine offered, and only commands are taken.
#[test]
fn a_choice_from_the_standards_menu_is_the_command_it_names() {
    let select = |values: &str| {
        parse(&CLICK.replace(
            r#""data": {"component_type": 2, "custom_id": "CUSTOM_ID"}"#,
            &format!(
                r#""data": {{"component_type": 3, "custom_id": "choose", "values": {values}}}"#
            ),
        ))
    };
    let (_, action) = translate::translate(&select(r#"["/enrol HSCCLD352"]"#)).unwrap();
    assert_eq!(
        action,
        Action::Engine(ksbquiz::engine::Input::Enrol(vec!["HSCCLD352".into()]))
    );
    for odd in [r#"["enrol HSCCLD352"]"#, "[]"] {
        let (_, action) = translate::translate(&select(odd)).unwrap();
        assert_eq!(action, Action::Unknown("choose".into()), "{odd}");
    }
}
