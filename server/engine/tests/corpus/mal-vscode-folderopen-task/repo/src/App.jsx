export default function App() { return <h1>Assessment</h1>; }
