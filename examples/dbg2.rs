fn main() {
    let m = serde_json::json!({"message_id": 9, "date": 1, "chat": {"id": 111, "type": "private", "first_name": "Ann"},
        "from": {"id": 7000000, "is_bot": true, "first_name": "ksbquiz"},
        "document": {"file_id": "file-9", "file_unique_id": "u9", "file_name": "x.json"}});
    let u: Result<teloxide::types::Message, _> = serde_json::from_str(&m.to_string());
    println!("{:?}", u.map(|_| ()));
}
