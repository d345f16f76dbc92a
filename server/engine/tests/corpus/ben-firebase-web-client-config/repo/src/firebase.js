import { initializeApp } from 'firebase/app';
import { getFirestore } from 'firebase/firestore';

const firebaseConfig = {
  apiKey: 'AIzaSygW7uAcIvrkqGl4QvXXodcAh7MQWLXWO9f',
  authDomain: 'chat-pwa-4821.firebaseapp.com',
  projectId: 'chat-pwa-4821',
  storageBucket: 'chat-pwa-4821.appspot.com',
  messagingSenderId: '674405165003',
  appId: '1:291261983962:web:0eacf392b9bcebad76f52e',
};

export const app = initializeApp(firebaseConfig);
export const db = getFirestore(app);
