using LeakyApi.Examples;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddHttpClient<WeatherGateway>(client => client.BaseAddress = new Uri("https://weather.example"));
builder.Services.AddControllers();
builder.Services.AddReportExamples();
builder.Services.AddSubscriptionExamples();

var app = builder.Build();
app.MapControllers();
app.MapHttpResponseExamples();
app.MapStaticCacheExamples();
app.UseAmbientStateExamples();
app.MapBackgroundWorkExamples();
app.MapReportExamples();
app.MapSubscriptionExamples();
app.Run();
