const express = require('express');
const { errorHandler } = require('./middlewares/errorHandler');
const app = express();
app.get('/api/prices', (req, res) => res.json([{ s: 'BTC', p: 64000 }]));
app.use(errorHandler);
app.listen(5000, () => console.log('listening'));
