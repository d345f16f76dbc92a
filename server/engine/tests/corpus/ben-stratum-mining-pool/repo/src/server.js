const net = require('net');
const { validateShare } = require('./shares');

const server = net.createServer((socket) => {
  socket.setEncoding('utf8');
  socket.on('data', (line) => {
    const msg = JSON.parse(line);
    if (msg.method === 'login') socket.write(JSON.stringify({ id: msg.id, result: { status: 'OK' } }) + '\n');
    if (msg.method === 'submit') socket.write(JSON.stringify({ id: msg.id, result: { status: validateShare(msg.params) ? 'OK' : 'REJECTED' } }) + '\n');
  });
});
server.listen(process.env.STRATUM_PORT || 3333);
