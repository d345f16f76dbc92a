public class ProgramTests { [Xunit.Fact] public void Runs() { } }
