// One MQTT.js client for e2e/MqttJsTests.cs: connects with MQTT.js's own defaults plus the options given
// as JSON in argv[3], subscribes to argv[4] at QoS 1, publishes one QoS 1 message there, prints each step
// as a JSON line, and ends cleanly when its standard input closes. Bounded: gives up after 30 s.
import mqtt from 'mqtt';

const [url, optionsJson, topic] = process.argv.slice(2);
const say = (event) => console.log(JSON.stringify(event));
const client = mqtt.connect(url, { reconnectPeriod: 0, connectTimeout: 10_000, ...JSON.parse(optionsJson) });
const giveUp = setTimeout(() => { say({ event: 'timeout' }); process.exit(1); }, 30_000);

client.on('error', (error) => { say({ event: 'error', message: String(error) }); process.exit(1); });
client.on('connect', (connack) => {
  say({ event: 'connected', clientId: client.options.clientId, protocolVersion: client.options.protocolVersion, sessionPresent: connack.sessionPresent });
  client.subscribe(topic, { qos: 1 }, (error, granted) => {
    if (error) { say({ event: 'error', message: String(error) }); process.exit(1); }
    say({ event: 'subscribed', qos: granted[0].qos });
    client.publish(topic, 'hello from mqtt.js', { qos: 1 });
  });
});
client.on('message', (messageTopic, payload, packet) => {
  say({ event: 'message', topic: messageTopic, payload: payload.toString(), qos: packet.qos });
});
process.stdin.on('end', () => {
  client.end(false, {}, () => { clearTimeout(giveUp); say({ event: 'closed' }); process.exit(0); });
});
process.stdin.resume();
