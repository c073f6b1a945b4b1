/** The broker's users and ACL as pure text; scripts.test.ts runs them on a real mosquitto. */
import { mosquittoAcl, mosquittoPasswordLine, mqttBotUsername } from "../../components/bots/mqtt-auth";

test("the password line: a known answer computed by an independent implementation (Python's hashlib)", () => {
  // python3: salt = hmac.new(pw, b"botfleet/mosquitto-salt/" + user, sha256).digest()[:12];
  // hashlib.pbkdf2_hmac("sha512", pw, salt, 101, 64), both base64.
  expect(mosquittoPasswordLine("bot-eth-usdt-live", "Gen3rat3dPassw0rdForBotAAAAAAAAA")).toBe(
    "bot-eth-usdt-live:$7$101$SlfWSIChufTF9+3v$Zw0s5nHuMW9YB3UXXOiikA5KXRECmeSnNAO/IFNdiKEGTNL5RxgjoJgQXgBlh+45LUBfwj2OxWE8L3r5MF0AaA==",
  );
});

test("deterministic per user and password; another user or password gets another salt", () => {
  const salt = (line: string) => line.split("$")[3];
  const a = mosquittoPasswordLine("bot-a", "pw1");
  expect(mosquittoPasswordLine("bot-a", "pw1")).toBe(a);
  expect(salt(mosquittoPasswordLine("bot-b", "pw1"))).not.toBe(salt(a));
  expect(salt(mosquittoPasswordLine("bot-a", "pw2"))).not.toBe(salt(a));
  expect(a).not.toContain("pw1");
});

test.each([
  ["", "pw", 'username must be non-empty with no ":" or line breaks, got ""'],
  ["a:b", "pw", 'username must be non-empty with no ":" or line breaks, got "a:b"'],
  ["a\nb", "pw", "username must be non-empty"],
  ["bot-a", "", "password must be non-empty with no line breaks"],
  ["bot-a", "p\nw", "password must be non-empty with no line breaks"],
])("mosquittoPasswordLine(%j, …) is refused", (user, pw, message) => {
  expect(() => mosquittoPasswordLine(user, pw)).toThrow(message);
});

test("the ACL: each bot's user reads and writes only hbot/<its instance id>/#, bots in name order", () => {
  expect(mqttBotUsername("btc-usdt-mm")).toBe("bot-btc-usdt-mm");
  const acl = mosquittoAcl([
    { name: "eth-usdt-live", instanceId: "eth-live-1" },
    { name: "btc-usdt-mm", instanceId: "btc-usdt-mm" },
  ]);
  expect(acl.split("\n").filter((l) => l !== "" && !l.startsWith("#"))).toEqual([
    "user bot-btc-usdt-mm",
    "topic readwrite hbot/btc-usdt-mm/#",
    "user bot-eth-usdt-live",
    "topic readwrite hbot/eth-live-1/#",
  ]);
  // No `pattern` line: a rule for every user would be a rule for every bot.
  expect(acl).not.toMatch(/^pattern/m);
});

test.each(["+", "#", "a/b", "", "a b"])(
  "an instance id %j that mosquitto would read as a wildcard or level is refused",
  (id) => {
    expect(() => mosquittoAcl([{ name: "hb", instanceId: id }])).toThrow(
      `mosquittoAcl: instance id of bot hb must match [A-Za-z0-9_-]+, got ${JSON.stringify(id)}`,
    );
  },
);
